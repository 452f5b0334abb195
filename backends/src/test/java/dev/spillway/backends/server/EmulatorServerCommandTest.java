package dev.spillway.backends.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.emulator.Dtype;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code serve}'s command line: defaults, both flag forms, and errors that name the flag. */
class EmulatorServerCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return ServeCommand.run(
        args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void printsHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--accelerator").contains("--port");
  }

  @Test
  void parsesBothFlagFormsWithDefaults() throws Exception {
    ServeOptions options =
        ServeCommand.parse(
            new String[] {"--accelerator", "trn2.48xlarge", "--model=llama-3.3-70b", "--port=0", "--dtype", "fp8"});

    assertThat(options.accelerator()).isEqualTo("trn2.48xlarge");
    assertThat(options.model()).isEqualTo("llama-3.3-70b");
    assertThat(options.port()).isZero();
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.replicas()).isEqualTo(1);
    assertThat(options.tp()).isZero();
    assertThat(options.dtype()).isEqualTo(Dtype.FP8);
    assertThat(options.stack()).isNull();
    assertThat(options.profiles()).isNull();
  }

  @Test
  void rejectsBadValuesNamingTheFlag() {
    assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--model", "m"}))
        .hasMessageContaining("--accelerator: missing (expected:");
    assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--accelerator", "a", "--model", "m", "--port", "http"}))
        .hasMessageContaining("--port: http (expected: an integer from 0 to 65535)");
    assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--accelerator", "a", "--model", "m", "--replicas", "0"}))
        .hasMessageContaining("--replicas: 0 (expected: an integer >= 1)");
    assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--accelerator", "a", "--model"}))
        .hasMessageContaining("--model: missing value");
    assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--accelerator", "a", "--model", "m", "--dtype", "fp9"}))
        .hasMessageContaining("--dtype: fp9 (expected: bf16, fp16, fp8, int8 or fp4)");
    assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--accelerator", "a", "--model", "m", "--profiles", "/no/such.yaml"}))
        .hasMessageContaining("--profiles: /no/such.yaml (expected: a readable YAML file)");
    assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--accelerator", "a", "--model", "m", "--gpus", "8"}))
        .hasMessageContaining("unknown option --gpus");
  }

  @Test
  void exitsWithAUsageErrorForBadFlagsAndUnknownProfiles() {
    assertThat(run("--accelerator", "trn2.48xlarge", "--model", "llama-3.3-70b", "--port", "-1")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port: -1");

    err.reset();
    assertThat(run("--accelerator", "tpu-v9", "--model", "llama-3.3-70b", "--port", "0")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("accelerator: tpu-v9 (expected one of:");
  }
}
