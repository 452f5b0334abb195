package dev.spillway.backends.calibrate;

import dev.spillway.backends.emulator.AcceleratorProfile;
import dev.spillway.backends.emulator.Batching;
import dev.spillway.backends.emulator.Deployment;
import dev.spillway.backends.emulator.Dtype;
import dev.spillway.backends.emulator.ModelProfile;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.emulator.StackProfile;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A published row turned into something the engine can run: a deployment and a closed-loop workload.
 *
 * <p>How a row maps, so every choice is visible:
 *
 * <ul>
 *   <li>the chip named in {@code hardware} picks the accelerator family; an {@code instance} that names
 *       a profile picks that profile, otherwise the family's largest instance (cost is shared by the
 *       chips used, so the instance only sets the price per chip);
 *   <li>{@code tp} is taken as published; when empty it is the chip count (times cores per chip on
 *       Neuron), or 1 when no count is given either; wafer systems use as many wafers as the weights
 *       need;
 *   <li>the weight format is the narrowest of fp4, fp8, int8, fp16, bf16 named in {@code system};
 *   <li>the serving stack is the first whose {@code match} strings occur in {@code system}; a
 *       {@code max-num-seqs N} in {@code system} caps running sequences;
 *   <li>empty {@code concurrency} means offline maximum load: enough clients to fill the replica;
 *   <li>an empty prompt length means {@value #DEFAULT_INPUT} tokens (a short chat turn);
 *   <li>an empty output length is derived from the row itself where it can be: closed-loop throughput
 *       is {@code X = c·n / (TTFT + (n−1)·TPOT)}, so {@code n = X·(TTFT − TPOT) / (c − X·TPOT)}. Where
 *       that has no finite positive solution the published throughput is a per-user decode speed,
 *       which excludes TTFT, and {@value #DEFAULT_OUTPUT} output tokens make the closed-loop
 *       throughput converge to it.
 * </ul>
 */
record Scenario(
    TargetRow row, Deployment deployment, int clients, int inputTokens, int outputTokens, int batchSize) {

  static final int DEFAULT_INPUT = 200;
  static final int DEFAULT_OUTPUT = 4000;

  private static final Pattern COUNT = Pattern.compile("\\bx\\s*(\\d+)");
  private static final Pattern MAX_SEQS = Pattern.compile("max-num-seqs\\s+(\\d+)");

  /** Maps {@code row}; throws {@link IllegalArgumentException} naming the row when it cannot. */
  static Scenario of(TargetRow row, Profiles profiles) {
    try {
      return map(row, profiles);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(row.label() + ": " + e.getMessage(), e);
    }
  }

  private static Scenario map(TargetRow row, Profiles profiles) {
    String family = family(row.hardware());
    AcceleratorProfile accelerator = accelerator(profiles, family, row.instance());
    ModelProfile model = profiles.model(row.model());
    if (row.inputTokens() + row.outputTokens() > model.contextTokens()) {
      // Published runs past the model's context (Splitwise ran Llama 2 70B at 8k): memory still bounds.
      model = model.withContextTokens(row.inputTokens() + row.outputTokens());
    }
    StackProfile stack = profiles.stackForSystem(row.system());
    Matcher seqs = MAX_SEQS.matcher(row.system().toLowerCase(Locale.ROOT));
    if (seqs.find()) {
      stack = stack.withMaxRunningSequences(Integer.parseInt(seqs.group(1)));
    }
    int tp = row.tp();
    if (tp == 0 && stack.batching() != Batching.WAFER) {
      Matcher count = COUNT.matcher(row.hardware().toLowerCase(Locale.ROOT));
      tp = count.find() ? Integer.parseInt(count.group(1)) * accelerator.coresPerChip() : 1;
    }
    Deployment deployment =
        Deployment.of(profiles, accelerator, model, stack, tp, dtype(row.system(), model.dtype()));
    int input = row.inputTokens() > 0 ? row.inputTokens() : DEFAULT_INPUT;
    int output = row.outputTokens() > 0 ? row.outputTokens() : derivedOutput(row);
    int batch = 0;
    int clients;
    long kvTokens = deployment.kvBlocks() * Deployment.KV_BLOCK_TOKENS;
    if (stack.batching() == Batching.STATIC) {
      batch = stack.staticBatchFor(Math.max(1, row.concurrency()));
      clients = row.concurrency() > 0 ? row.concurrency() : batch;
    } else if (row.concurrency() > 0) {
      clients = row.concurrency();
    } else {
      long fit = Math.max(1, kvTokens / (input + output));
      clients = (int) Math.max(1, Math.min(stack.maxRunningSequences(), fit) * 5 / 4);
    }
    if (input + output > kvTokens) {
      throw new IllegalArgumentException(
          "requests of " + input + "+" + output + " tokens do not fit " + deployment
              + " (expected: a row whose requests fit the model and memory)");
    }
    return new Scenario(row, deployment, clients, input, output, batch);
  }

  /** The output length that makes the row's throughput, TTFT and TPOT agree; see the class notes. */
  static int derivedOutput(TargetRow row) {
    double x = row.throughputTokS();
    double ttft = row.ttftMs() / 1e3;
    double tpot = row.tpotMs() / 1e3;
    int c = Math.max(1, row.concurrency());
    if (Double.isNaN(x) || Double.isNaN(ttft) || Double.isNaN(tpot)) {
      return DEFAULT_OUTPUT;
    }
    double denominator = c - x * tpot;
    double n = x * (ttft - tpot) / denominator;
    // Within 1% of the decode-rate limit the length is unbounded: a per-user speed.
    if (!(denominator > 0.01 * c) || !(n >= 2) || n > DEFAULT_OUTPUT) {
      return DEFAULT_OUTPUT;
    }
    return (int) Math.round(n);
  }

  static String family(String hardware) {
    String h = hardware.toLowerCase(Locale.ROOT);
    if (h.contains("inferentia2")) {
      return "inf2";
    }
    if (h.contains("trainium3")) {
      return "trn3";
    }
    if (h.contains("trainium2")) {
      return "trn2";
    }
    if (h.contains("trainium")) {
      return "trn1";
    }
    if (h.contains("wse-3") || h.contains("cs-3")) {
      return "wse3";
    }
    if (h.contains("a100")) {
      return "a100";
    }
    if (h.contains("h100")) {
      return "h100";
    }
    if (h.contains("h200")) {
      return "h200";
    }
    if (h.contains("b200")) {
      return "b200";
    }
    throw new IllegalArgumentException(
        "hardware: " + hardware
            + " (expected: Inferentia2, Trainium1/2/3, WSE-3, A100, H100, H200 or B200)");
  }

  private static AcceleratorProfile accelerator(Profiles profiles, String family, String instance) {
    String first = instance.split("[\\s(]")[0].trim();
    AcceleratorProfile best = null;
    for (AcceleratorProfile candidate : profiles.accelerators()) {
      if (!candidate.family().equals(family)) {
        continue;
      }
      if (candidate.name().equalsIgnoreCase(first)) {
        return candidate;
      }
      if (best == null || candidate.chips() > best.chips()) {
        best = candidate;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no accelerator profile of family " + family);
    }
    return best;
  }

  static Dtype dtype(String system, Dtype fallback) {
    String s = system.toLowerCase(Locale.ROOT);
    if (s.contains("fp4")) {
      return Dtype.FP4;
    }
    if (s.contains("fp8")) {
      return Dtype.FP8;
    }
    if (s.contains("int8")) {
      return Dtype.INT8;
    }
    if (s.contains("fp16")) {
      return Dtype.FP16;
    }
    if (s.contains("bf16")) {
      return Dtype.BF16;
    }
    return fallback;
  }

  Scenario withDeployment(Deployment d) {
    return new Scenario(row, d, clients, inputTokens, outputTokens, batchSize);
  }
}
