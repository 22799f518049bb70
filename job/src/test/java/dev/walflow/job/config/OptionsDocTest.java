package dev.walflow.job.config;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class OptionsDocTest {

    @Test
    void everyOptionHasADescription() {
        for (ConfigOption<?> option : WalflowOptions.all()) {
            assertThat(OptionsDoc.description(option)).as(option.key()).isNotBlank();
        }
    }

    @Test
    void readmeTableMatchesTheDeclarations() throws Exception {
        String readme = Files.readString(OptionsDoc.readmePath(Path.of("..")));
        assertThat(OptionsDoc.section(readme))
                .as("README.md's option table is stale; regenerate it with: deploy/options-doc.sh")
                .isEqualTo(OptionsDoc.markdownTable());
    }

    @Test
    void helpListsEveryKey() {
        String help = OptionsDoc.helpText();
        for (ConfigOption<?> option : WalflowOptions.all()) {
            assertThat(help).contains("--" + option.key());
        }
    }
}
