package dev.walflow.sink.clickhouse;

import dev.walflow.source.SourceCatalog;
import org.apache.flink.api.connector.sink2.Committer;

import java.io.IOException;
import java.util.Collection;

/**
 * Inserts a completed checkpoint's batches, in the order the writer made them (a TRUNCATE's
 * removal must follow the rows before it). A batch that still fails after the retries fails the
 * job; the restored checkpoint hands it over again, and its token keeps a second insert out.
 */
final class ClickHouseCommitter implements Committer<ClickHouseBatch> {

    private final ClickHouseTarget target;
    private final SourceCatalog catalog;

    ClickHouseCommitter(ClickHouseConfig config, SourceCatalog catalog) {
        this.catalog = catalog;
        this.target = new ClickHouseTarget(config, catalog);
    }

    @Override
    public void commit(Collection<CommitRequest<ClickHouseBatch>> requests) throws IOException {
        for (CommitRequest<ClickHouseBatch> request : requests) {
            target.apply(request.getCommittable());
        }
    }

    @Override
    public void close() {
        target.close();
        catalog.close();
    }
}
