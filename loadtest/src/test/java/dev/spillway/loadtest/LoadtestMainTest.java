package dev.spillway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadtestMainTest {

  @TempDir Path dir;

  private String[] run(String... more) {
    String[] base = {"run", "--url", "http://127.0.0.1:9/v1", "--model", "m", "--out", dir.toString()};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @ParameterizedTest(name = "{0} → names {1}")
  @CsvSource(delimiter = '|', value = {
      "--rate abc | --rate: abc",
      "--rate 0 | --rate: 0",
      "--rate 5 --concurrency 2 | --rate, --rates, --concurrency, --trace",
      "--requests 5 | --rate, --rates, --concurrency, --trace",
      "--rate 5 --arrival weibull | --arrival: weibull",
      "--rate 5 --arrival constant --burstiness 0.5 | --burstiness: 0.5",
      "--concurrency 2 --burstiness 0.5 | --burstiness",
      "--rate 5 --input-len uniform:9 | --input-len: uniform:9",
      "--rate 5 --output-len trace | --output-len: trace",
      "--rate 5 --tenants a=x | --tenants: a=x",
      "--rate 5 --models a=1 | --model, --models: both given",
      "--rate 5 --tiers gold=1 | --tiers: gold=1",
      "--rate 5 --prefix-ratio 1.5 | --prefix-ratio: 1.5",
      "--rate 5 --warmup soon | --warmup: soon",
      "--rate 5 --duration forever | --duration: forever",
      "--rate 5 --slo-ttft-ms -3 | --slo-ttft-ms",
      "--rate 5 --endpoint embeddings | --endpoint: embeddings",
      "--rate 5 --max-inflight 0 | --max-inflight: 0",
      "--rate 5 --trace /no/such.csv | --rate, --rates, --concurrency, --trace",
      "--trace /no/such.csv | --trace: /no/such.csv",
      "--rate 5 --frobnicate 1 | unknown flag: --frobnicate",
      "--rate | --rate: missing value",
  })
  void usageErrorsExitTwoAndNameTheFlag(String flags, String named) {
    CommandOutcome outcome = CommandOutcome.of(run(flags.trim().split(" +")));

    assertThat(outcome.status()).isEqualTo(2);
    assertThat(outcome.err()).contains(named.trim());
  }

  @Test
  void missingRequiredFlagsAreNamed() {
    assertThat(CommandOutcome.of("run", "--model", "m", "--rate", "1", "--out", "x").err()).contains("--url: missing");
    assertThat(CommandOutcome.of("run", "--url", "http://127.0.0.1:9/v1", "--rate", "1", "--out", "x").err())
        .contains("--model: missing");
    assertThat(CommandOutcome.of("run", "--url", "http://127.0.0.1:9/v1", "--model", "m", "--rate", "1").err())
        .contains("--out: missing");
    assertThat(CommandOutcome.of("run", "--url", "ftp://x", "--model", "m", "--rate", "1", "--out", "x").err())
        .contains("--url: ftp://x");
  }

  @Test
  void unbuiltCommandsSaySoAndUnknownOnesAreUsageErrors() {
    CommandOutcome simulate = CommandOutcome.of("simulate", "--anything");
    CommandOutcome experiment = CommandOutcome.of("experiment");
    CommandOutcome unknown = CommandOutcome.of("bench");

    assertThat(simulate.status()).isEqualTo(2);
    assertThat(simulate.err()).contains("--anything");
    assertThat(experiment.status()).isEqualTo(2);
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown command: bench");
    assertThat(CommandOutcome.of().status()).isEqualTo(2);
  }

  @Test
  void helpListsEveryFlag() {
    CommandOutcome help = CommandOutcome.of("run", "--help");

    assertThat(help.status()).isZero();
    for (Flags.Flag flag : RunCommand.FLAGS) {
      assertThat(help.out()).contains("--" + flag.name());
    }
  }

  @Test
  void theDocsDescribeEveryFlag() throws Exception {
    Path docs = Path.of("..", "docs", "loadtest.md");
    if (!Files.exists(docs)) {
      docs = Path.of("docs", "loadtest.md"); // run from the repository root
    }
    String text = Files.readString(docs);

    for (Flags.Flag flag : RunCommand.FLAGS) {
      assertThat(text).as("docs/loadtest.md documents --%s", flag.name()).contains("`--" + flag.name());
    }
  }

  @Test
  void aRunAgainstALiveServerWritesTheReportAndPrintsTheTable() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
        if (request.method() == HttpMethod.GET) {
          request.response().end("{\"object\":\"list\",\"data\":[]}"); // the preflight
          return;
        }
        boolean stream = body.toJsonObject().getBoolean("stream", false);
        if (!stream) {
          request.response().putHeader("x-spillway-pool", "p1")
              .end("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"a b\"},"
                  + "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
                  + "\"total_tokens\":7}}");
          return;
        }
        request.response().setChunked(true).putHeader("content-type", "text/event-stream");
        vertx.setTimer(5, id -> request.response()
            .write("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"a\"},\"finish_reason\":null}]}\n\n")
            .compose(v -> request.response().write(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" b\"},\"finish_reason\":\"length\"}]}\n\n"))
            .compose(v -> request.response().end(
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7},"
                    + "\"spillway\":{\"pool\":\"p2\",\"cost_usd\":0.001,\"price_usd\":0.002}}\n\ndata: [DONE]\n\n")));
      }));
      server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      String url = "http://127.0.0.1:" + server.actualPort() + "/v1";

      CommandOutcome outcome = CommandOutcome.of("run", "--url", url, "--models", "a=1,b=1", "--rates", "50,100", "--requests", "20",
          "--warmup", "2", "--input-len", "uniform:10:40", "--output-len", "2", "--tiers", "priority=0.5,default=0.5",
          "--slo-ttft-ms", "500", "--seed", "9", "--progress", "--out", dir.toString());

      assertThat(outcome.status()).as(outcome.err()).isZero();
      assertThat(outcome.out()).contains("Serving Benchmark Result", "Successful requests:", "Sweep");
      assertThat(outcome.err()).contains("\r", "sent 20");
      for (String rate : new String[] {"rate-50", "rate-100"}) {
        JsonNode json = new ObjectMapper().readTree(dir.resolve(rate).resolve("summary.json").toFile());
        assertThat(json.get("completed").asLong()).isEqualTo(18);
        assertThat(json.get("warmup_excluded").asLong()).isEqualTo(2);
        assertThat(json.path("pools").has("p2")).isTrue();
        assertThat(json.get("request_goodput").asDouble()).isPositive();
        assertThat(Files.readAllLines(dir.resolve(rate).resolve("requests.csv"))).hasSize(21);
        assertThat(Files.readString(dir.resolve(rate).resolve("report.html"))).contains("<svg").doesNotContain("http://");
      }
      assertThat(new ObjectMapper().readTree(dir.resolve("sweep.json").toFile()).size()).isEqualTo(2);

      CommandOutcome plain = CommandOutcome.of("run", "--url", url, "--model", "m", "--concurrency", "2", "--requests", "4",
          "--no-stream", "--out", dir.resolve("plain").toString());
      assertThat(plain.status()).as(plain.err()).isZero();
      JsonNode json = new ObjectMapper().readTree(dir.resolve("plain").resolve("summary.json").toFile());
      assertThat(json.get("completed").asLong()).isEqualTo(4);
      assertThat(json.get("max_concurrency").asInt()).isEqualTo(2);
      assertThat(json.path("pools").has("p1")).isTrue();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void simulateWritesTheSameReportsAsRun() throws Exception {
    CommandOutcome outcome =
        CommandOutcome.of(
            "simulate", "--model", "llama-3.1-8b", "--rate", "20", "--requests", "300",
            "--input-len", "256", "--output-len", "32", "--seed", "5", "--policy", "least-outstanding",
            "--out", dir.toString());
    assertThat(outcome.status()).as(outcome.err()).isZero();
    assertThat(outcome.out()).contains("simulated 300 requests");
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
    assertThat(summary.get("completed").asInt()).isEqualTo(300);
    assertThat(summary.get("median_ttft_ms").asDouble()).isPositive();
    assertThat(Files.readAllLines(dir.resolve("requests.csv"))).hasSize(301);
    assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg");
  }

  @Test
  void simulateRejectsUnknownModelsAndPolicies() {
    CommandOutcome model =
        CommandOutcome.of("simulate", "--model", "gpt-9", "--rate", "5", "--requests", "10", "--out", dir.toString());
    assertThat(model.status()).isEqualTo(2);
    assertThat(model.err()).contains("--model: gpt-9");
    CommandOutcome policy =
        CommandOutcome.of(
            "simulate", "--model", "llama-3.1-8b", "--rate", "5", "--requests", "10", "--policy",
            "random", "--out", dir.toString());
    assertThat(policy.status()).isEqualTo(2);
    assertThat(policy.err()).contains("--policy: random");
  }
}
