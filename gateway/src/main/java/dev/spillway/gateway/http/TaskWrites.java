package dev.spillway.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.api.openai.EventSink;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.BooleanSupplier;

/**
 * A streamed response's writes, coalesced per task of its loop: what one task appends (every token
 * of one engine step's batch, one read of an upstream's stream holding many events) goes out in one
 * write and one flush when that task is over, not one per token. The response's last write takes
 * what is still pending instead ({@link #take}).
 *
 * <p>{@code write()} never blocks: past the write queue's high-water mark Vert.x buffers, bounded by
 * the request's output budget. On the response's loop only.
 *
 * <p>It is also an {@link EventSink}: a stream appends a token's event to this task's buffer piece by
 * piece.
 */
final class TaskWrites implements EventSink {

  private final HttpServerResponse response;
  private final Context context;
  /** Whether the response still takes writes; the exchange says, as only it knows when it is done. */
  private final BooleanSupplier open;
  private final Handler<Void> flush = v -> flush();
  private Buffer pending;

  TaskWrites(HttpServerResponse response, Context context, BooleanSupplier open) {
    this.response = requireNonNull(response, "response");
    this.context = requireNonNull(context, "context");
    this.open = requireNonNull(open, "open");
  }

  /** The buffer this task appends to; the task's first append schedules its write for after it. */
  Buffer buffer() {
    if (pending == null) {
      pending = Buffer.buffer(256);
      context.runOnContext(flush);
    }
    return pending;
  }

  @Override
  public void bytes(byte[] utf8) {
    buffer().appendBytes(utf8);
  }

  @Override
  public void text(String text) {
    buffer().appendString(text);
  }

  /** The bytes not yet written, to go out with the last write; the scheduled write finds none. */
  Buffer take() {
    Buffer out = pending == null ? Buffer.buffer(256) : pending;
    pending = null;
    return out;
  }

  private void flush() {
    Buffer out = pending;
    pending = null;
    if (out != null && out.length() > 0 && open.getAsBoolean()) {
      response.write(out);
    }
  }
}
