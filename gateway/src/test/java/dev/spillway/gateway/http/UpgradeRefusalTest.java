package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The refusal on a connection's first bytes, however they are split. */
class UpgradeRefusalTest {

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
  }

  private static String read(EmbeddedChannel channel) {
    StringBuilder out = new StringBuilder();
    for (ByteBuf b = channel.readInbound(); b != null; b = channel.readInbound()) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @Test
  void dropsTheUpgradeOfAHeadSplitOverReadsAndPassesTheBodyOn() {
    EmbeddedChannel channel = new EmbeddedChannel(new UpgradeRefusal());

    channel.writeInbound(bytes("POST /v1/chat/completions HTTP/1.1\r\nUpgrade: h2"));
    assertThat(read(channel)).isEmpty();
    channel.writeInbound(bytes("c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\nContent-Length: 2\r\n\r\n{}"));

    assertThat(read(channel)).isEqualTo("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
    assertThat(channel.pipeline().get(UpgradeRefusal.class)).isNull();
    channel.writeInbound(bytes("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n"));
    assertThat(read(channel)).contains("Upgrade: h2c"); // only the first request could upgrade
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void passesHttp2sPrefaceUnchanged() {
    EmbeddedChannel channel = new EmbeddedChannel(new UpgradeRefusal());
    String preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    channel.writeInbound(bytes(preface + "\u0000\u0000\u0000\u0004"));

    assertThat(read(channel)).isEqualTo(preface + "\u0000\u0000\u0000\u0004");
    assertThat(channel.pipeline().get(UpgradeRefusal.class)).isNull();
  }

  @Test
  void releasesWhatItHeldWhenTheConnectionCloses() {
    EmbeddedChannel channel = new EmbeddedChannel(new UpgradeRefusal());
    ByteBuf partial = bytes("GET / HTTP/1.1\r\nHost: x");
    channel.writeInbound(partial);

    channel.close();

    assertThat(partial.refCnt()).isZero();
  }
}
