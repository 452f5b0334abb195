package dev.spillway.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The first handler of every accepted connection while cleartext HTTP/2 is on: it lets a client that
 * opens with HTTP/2's preface (prior knowledge) through untouched, and takes {@code Upgrade: h2c} out
 * of the first request of an HTTP/1.1 connection, so that request is answered over HTTP/1.1. Vert.x
 * offers no switch for one without the other: with cleartext HTTP/2 on, it accepts both, and upgraded
 * connections from Java's {@code HttpClient} hung (decisions.md).
 *
 * <p>Implementation notes. Only a connection's first request can ask to upgrade (Vert.x looks at no
 * other), so this handler reads bytes until the end of the first head ({@code CRLF CRLF}; HTTP/2's
 * preface has one after its first line, which holds no header), drops an {@code Upgrade} header that
 * names {@code h2c} and the {@code HTTP2-Settings} header that goes with it, passes everything on and
 * removes itself. A head longer than {@link #MAX_HEAD} bytes passes unchanged, for the HTTP decoder to
 * refuse. Runs on the connection's event loop; one instance per connection.
 */
final class UpgradeRefusal extends ChannelInboundHandlerAdapter {

  /** The most bytes held back while waiting for the end of the first head. */
  static final int MAX_HEAD = 16 * 1024;

  private ByteBuf held;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf in = (ByteBuf) msg;
    if (held == null) {
      held = in;
    } else {
      ByteBuf joined = ctx.alloc().buffer(held.readableBytes() + in.readableBytes());
      joined.writeBytes(held).writeBytes(in);
      held.release();
      in.release();
      held = joined;
    }
    String text = held.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0 && held.readableBytes() < MAX_HEAD) {
      return; // the head is not complete yet
    }
    ByteBuf out = held;
    held = null;
    if (end >= 0) {
      String head = withoutUpgrade(text.substring(0, end));
      if (head != null) {
        ByteBuf rewritten = Unpooled.buffer(head.length() + out.readableBytes() - end);
        rewritten.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        rewritten.writeBytes(out, out.readerIndex() + end, out.readableBytes() - end);
        out.release();
        out = rewritten;
      }
    }
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(out);
  }

  /** The head without its h2c upgrade headers; null when it asks for no upgrade to h2c. */
  static String withoutUpgrade(String head) {
    String[] lines = head.split("\r\n", -1);
    boolean upgrade = false;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].toLowerCase(Locale.ROOT);
      if (line.startsWith("upgrade:") && line.contains("h2c")) {
        upgrade = true;
      }
    }
    if (!upgrade) {
      return null;
    }
    StringBuilder out = new StringBuilder(head.length());
    out.append(lines[0]);
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].toLowerCase(Locale.ROOT);
      if (line.startsWith("upgrade:") || line.startsWith("http2-settings:")) {
        continue;
      }
      out.append("\r\n").append(lines[i]);
    }
    return out.toString();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
