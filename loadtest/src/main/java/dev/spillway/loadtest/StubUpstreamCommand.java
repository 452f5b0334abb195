package dev.spillway.loadtest;

import dev.spillway.loadtest.Flags.Flag;
import dev.spillway.loadtest.bench.StubUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code stub-upstream}: serves {@link StubUpstream} until interrupted, or until {@code --lifetime} has
 * passed so a benchmark script that dies cannot leave it running. Prints the URL it listens on.
 */
final class StubUpstreamCommand {

  static final List<Flag> FLAGS = List.of(
      Flag.valued("host", "H", "address to bind; default 127.0.0.1"),
      Flag.valued("port", "N", "port to listen on; default 0 (a free one, printed)"),
      Flag.valued("chunks", "N", "tokens in every answer; default 200"),
      Flag.valued("interval", "D", "gap between SSE events, e.g. 100ms; default 0 (all at once)"),
      Flag.valued("answer", "auto|sse|json", "auto (default): SSE when the request streams, else JSON"),
      Flag.valued("event-loops", "N", "event loops serving the port; default 1"),
      Flag.valued("lifetime", "D", "exit after this long; default 1h"),
      Flag.bool("help", "show this help"));

  private final PrintStream out;

  StubUpstreamCommand(PrintStream out) {
    this.out = out;
  }

  static String usage() {
    return "usage: spillway-loadtest stub-upstream [flags]\n\n"
        + "An OpenAI-compatible upstream that answers every chat completion with a fixed answer at once\n"
        + "or paced, for benchmarking what sits in front of it. Loopback only by default.\n\n"
        + Flags.help(FLAGS);
  }

  int run(List<String> args) throws UsageException, IOException, InterruptedException {
    Flags flags = Flags.parse(args, FLAGS);
    if (flags.has("help")) {
      out.print(usage());
      return 0;
    }
    long port = flags.anyLong("port", 0);
    if (port < 0 || port > 65535) {
      throw new UsageException("--port: " + port + " (expected: 0 to 65535)");
    }
    Duration interval = Duration.ZERO;
    if (flags.has("interval") && !flags.get("interval").trim().equals("0")) {
      interval = flags.duration("interval", Duration.ZERO);
    }
    StubUpstream.Answer answer;
    try {
      answer = flags.has("answer") ? StubUpstream.Answer.parse(flags.get("answer")) : StubUpstream.Answer.AUTO;
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + e.getMessage());
    }
    int eventLoops = flags.positiveInt("event-loops", 1);
    StubUpstream.Options options = new StubUpstream.Options(
        flags.has("host") ? flags.get("host") : "127.0.0.1", (int) port, flags.positiveInt("chunks", 200),
        interval, answer, eventLoops);
    Duration lifetime = flags.duration("lifetime", Duration.ofHours(1));

    Vertx vertx = Vertx.vertx(
        new VertxOptions().setEventLoopPoolSize(Math.max(eventLoops, 1)).setPreferNativeTransport(true));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    try {
      StubUpstream stub = StubUpstream.start(vertx, options).toCompletionStage().toCompletableFuture().get();
      out.println("stub-upstream: http://" + options.host() + ":" + stub.port() + "/v1 (" + options.chunks()
          + " chunks, interval " + interval.toMillis() + " ms, answer " + answer.name().toLowerCase()
          + ", " + eventLoops + " event loops)");
      out.flush();
      stop.await(lifetime.toMillis(), TimeUnit.MILLISECONDS);
      return 0;
    } catch (ExecutionException e) {
      throw new IOException("cannot listen: " + e.getCause().getMessage(), e.getCause());
    } finally {
      vertx.close();
    }
  }
}
