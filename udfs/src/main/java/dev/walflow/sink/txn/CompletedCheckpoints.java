package dev.walflow.sink.txn;

import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.LongPredicate;

/**
 * Reads a job's completed checkpoints from its checkpoint storage: Flink writes
 * {@code <dir>/<job id>/chk-<n>/_metadata} last, when checkpoint n completes.
 */
final class CompletedCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(CompletedCheckpoints.class);

    private CompletedCheckpoints() {}

    /** The id of the job's newest completed checkpoint among {@code considered}, or -1. */
    static long latest(String checkpointDir, String jobId, LongPredicate considered) {
        if (checkpointDir == null) {
            return -1;
        }
        Path jobDir = new Path(checkpointDir, jobId);
        long latest = -1;
        try {
            FileSystem fs = jobDir.getFileSystem();
            FileStatus[] entries = fs.listStatus(jobDir);
            if (entries == null) {
                return -1;
            }
            for (FileStatus entry : entries) {
                String name = entry.getPath().getName();
                if (!entry.isDir() || !name.startsWith("chk-")) {
                    continue;
                }
                long id;
                try {
                    id = Long.parseLong(name.substring(4));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (id > latest && considered.test(id) && fs.exists(new Path(entry.getPath(), "_metadata"))) {
                    latest = id;
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the checkpoints of job {} in {}: {}", jobId, checkpointDir, e.getMessage());
            return -1;
        }
        return latest;
    }
}
