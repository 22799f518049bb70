package dev.walflow.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/submit.sh's flink CLI path and its argument checks, with a stand-in {@code flink} on
 * the PATH that records its arguments (no Flink distribution is available from Maven). The
 * REST path runs against a real cluster in {@link ClusterDeploymentITCase}.
 */
class SubmitScriptTest {

    private static final String JOB_ID = "0123456789abcdef0123456789abcdef";

    private final Path dir = Path.of("target", "submit-script-test").toAbsolutePath();
    private Path jar;
    private Path recorded;

    @BeforeEach
    void fakeFlinkCli() throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        jar = Files.writeString(dir.resolve("walflow-job.jar"), "not really a jar");
        recorded = dir.resolve("flink-args.txt");
        Files.deleteIfExists(recorded);
        Path flink = dir.resolve("bin/flink");
        Files.writeString(flink, "#!/usr/bin/env bash\n"
                + "printf '%s\\n' \"$@\" > '" + recorded + "'\n"
                + "echo \"Job has been submitted with JobID " + JOB_ID + "\"\n");
        Files.setPosixFilePermissions(flink, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void usesTheFlinkCliWhenOnThePath() throws Exception {
        Path config = Files.writeString(
                dir.resolve("walflow.properties"), "source.url = jdbc:postgresql://db/x\n");
        Result result = run("--jar", jar.toString(), "--config", config.toString(), "--savepoint", "s3://b/sp-1",
                "--parallelism", "2", "--", "--job.name", "shop");
        assertThat(result.exitCode).as(result.stderr).isZero();
        assertThat(result.stdout.trim()).isEqualTo(JOB_ID);
        assertThat(Files.readAllLines(recorded)).containsExactly(
                "run", "--detached", "--class", "dev.walflow.job.ReplicationJob", "--fromSavepoint", "s3://b/sp-1",
                "--parallelism", "2", jar.toString(), "--config", config.toString(), "--job.name", "shop");
    }

    @Test
    void restWithoutAClusterFailsNamingTheAddress() throws Exception {
        Result result = run("--jar", jar.toString(), "--rest", "http://127.0.0.1:9", "--job.name", "x");
        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.stderr).contains("cannot reach the Flink REST API at http://127.0.0.1:9");
        assertThat(recorded).as("--rest bypasses the CLI").doesNotExist();
    }

    @Test
    void badArgumentsFailWithAMessage() throws Exception {
        assertThat(run("--jar", dir.resolve("missing.jar").toString()).stderr)
                .contains("missing.jar not found").contains("mvn -B -Pfast package");
        assertThat(run("--jar", jar.toString(), "--parallelism", "two").stderr)
                .contains("--parallelism two: expected a positive whole number");
        assertThat(run("--jar", jar.toString(), "--config", "nope.properties").stderr)
                .contains("--config nope.properties: no such file");
        Result help = run("--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.stdout).contains("Usage: deploy/submit.sh", "--savepoint PATH", "--rest URL");
    }

    private record Result(int exitCode, String stdout, String stderr) {}

    private Result run(String... args) throws Exception {
        Path script = Path.of(System.getProperty("e2e.repository", ".."), "deploy", "submit.sh")
                .toAbsolutePath()
                .normalize();
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        builder.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        Process process = builder.start();
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("submit.sh finished").isTrue();
        return new Result(process.exitValue(),
                Files.readString(dir.resolve("out.txt")),
                Files.readString(dir.resolve("err.txt")));
    }
}
