package dev.walflow.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the newest checkpoint Flink retained under a checkpoint directory
 * ({@code <dir>/<job id>/chk-<n>/_metadata}), so a local run against real databases resumes
 * where the last one stopped, even after its JVM was killed.
 */
final class RetainedCheckpoints {

    private RetainedCheckpoints() {}

    /** The newest complete checkpoint, or empty when there is none (or the storage is not local). */
    static Optional<Path> latest(String checkpointDir) throws IOException {
        Path root;
        if (checkpointDir.startsWith("file:")) {
            root = Path.of(URI.create(checkpointDir));
        } else if (checkpointDir.contains("://")) {
            return Optional.empty();
        } else {
            root = Path.of(checkpointDir);
        }
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(root)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(RetainedCheckpoints::checkpointsOf)
                    .filter(chk -> Files.isRegularFile(chk.resolve("_metadata")))
                    .max(Comparator.comparing(RetainedCheckpoints::metadataTime));
        }
    }

    private static Stream<Path> checkpointsOf(Path jobDir) {
        try (Stream<Path> children = Files.list(jobDir)) {
            return children.filter(p -> p.getFileName().toString().startsWith("chk-")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static FileTime metadataTime(Path chk) {
        try {
            return Files.getLastModifiedTime(chk.resolve("_metadata"));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
