package dev.spillway.backends.server;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Replica;
import java.util.List;

/**
 * The pool's counters and their Prometheus text exposition (format 0.0.4), written by hand so this
 * module needs no metrics library. Names and meanings follow vLLM's {@code /metrics}, so dashboards and
 * autoscalers built for vLLM read the emulator unchanged; gauges are summed over replicas.
 *
 * <p>Confined to the server's context: counters are plain fields, updated and read on one thread.
 */
final class ServerMetrics {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final String modelLabel;
  private long promptTokens;
  private long generationTokens;
  private long successStop;
  private long successLength;

  ServerMetrics(String model) {
    this.modelLabel = "model_name=\"" + escape(model) + "\"";
  }

  /** Prompt tokens of a request whose prefill completed. */
  void prefilled(int tokens) {
    promptTokens += tokens;
  }

  void generated() {
    generationTokens++;
  }

  /** A request that finished normally; cancelled ones are not successes. */
  void finished(FinishReason reason) {
    if (reason == FinishReason.STOP || reason == FinishReason.TOOL_CALLS) {
      successStop++;
    } else if (reason == FinishReason.LENGTH) {
      successLength++;
    }
  }

  /** The exposition of the counters and of the replicas' current load. */
  String scrape(List<Replica> replicas) {
    long running = 0;
    long waiting = 0;
    long kvUsed = 0;
    long kvTotal = 0;
    for (Replica replica : replicas) {
      LoadSnapshot load = replica.load();
      running += load.running();
      waiting += load.waiting();
      kvUsed += load.kvBlocksUsed();
      kvTotal += load.kvBlocksTotal();
    }
    double kvUsage = kvTotal == 0 ? 0 : (double) kvUsed / kvTotal;
    StringBuilder out = new StringBuilder(2048);
    gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", running);
    gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", waiting);
    gauge(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", kvUsage);
    counter(out, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", promptTokens);
    counter(out, "vllm:generation_tokens_total", "Number of generation tokens processed.", generationTokens);
    header(out, "vllm:request_success_total", "Count of successfully processed requests.", "counter");
    sample(out, "vllm:request_success_total", ",finished_reason=\"stop\"", Long.toString(successStop));
    sample(out, "vllm:request_success_total", ",finished_reason=\"length\"", Long.toString(successLength));
    return out.toString();
  }

  private void gauge(StringBuilder out, String name, String help, double value) {
    header(out, name, help, "gauge");
    sample(out, name, "", Double.toString(value));
  }

  private void gauge(StringBuilder out, String name, String help, long value) {
    header(out, name, help, "gauge");
    sample(out, name, "", Long.toString(value));
  }

  private void counter(StringBuilder out, String name, String help, long value) {
    header(out, name, help, "counter");
    sample(out, name, "", Long.toString(value));
  }

  private static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private void sample(StringBuilder out, String name, String extraLabels, String value) {
    out.append(name).append('{').append(modelLabel).append(extraLabels).append("} ").append(value).append('\n');
  }

  /** Label values escape backslash, double quote and newline. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
