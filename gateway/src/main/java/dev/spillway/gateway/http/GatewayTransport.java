package dev.spillway.gateway.http;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * The gateway's Vert.x transport: a platform transport (native epoll where it loads, else NIO) whose
 * HTTP servers put an {@link UpgradeRefusal} first on every accepted connection. A gateway on this
 * transport serves cleartext HTTP/2 to clients with prior knowledge (the AWS SDKs' event streams)
 * while answering {@code Upgrade: h2c} requests over HTTP/1.1; on any other transport its servers
 * stay HTTP/1.1 only ({@link #refusesUpgrades}).
 *
 * <p>Implementation notes. Netty hands each accepted connection to the listening channel's pipeline
 * before the server's own initializer runs, so a handler there ({@link ServerBootstrap#handler}, set
 * from {@link io.vertx.core.spi.transport.Transport#configure} for HTTP servers only) can put the
 * refusal first. Everything else is the wrapped transport's.
 */
public final class GatewayTransport implements Transport {

  private final Transport platform;
  private final Implementation implementation;

  private GatewayTransport(Transport platform) {
    this.platform = requireNonNull(platform, "platform");
    this.implementation = new Implementation(platform.implementation());
  }

  /** Native epoll, kqueue or io_uring when one loads, else NIO; with the refusal. */
  public static GatewayTransport preferNative() {
    Transport platform = Transport.nativeTransport();
    return new GatewayTransport(platform != null && platform.available() ? platform : Transport.NIO);
  }

  /** {@code platform} with the refusal. */
  public static GatewayTransport of(Transport platform) {
    return new GatewayTransport(platform);
  }

  /** True when {@code vertx} runs on a gateway transport: its HTTP servers may offer cleartext HTTP/2. */
  public static boolean refusesUpgrades(Vertx vertx) {
    return vertx instanceof VertxInternal && ((VertxInternal) vertx).transport() instanceof Implementation;
  }

  @Override
  public String name() {
    return platform.name();
  }

  @Override
  public boolean available() {
    return platform.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return platform.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return implementation;
  }

  /** Adds the refusal to each connection an HTTP server accepts. */
  @ChannelHandler.Sharable
  private static final class Accepted extends ChannelInboundHandlerAdapter {
    static final Accepted INSTANCE = new Accepted();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel) {
        ((Channel) msg).pipeline().addFirst("spillway-upgrade-refusal", new UpgradeRefusal());
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** The wrapped transport's implementation, with {@link Accepted} on HTTP servers. */
  private static final class Implementation implements io.vertx.core.spi.transport.Transport {
    private final io.vertx.core.spi.transport.Transport delegate;

    Implementation(io.vertx.core.spi.transport.Transport delegate) {
      this.delegate = requireNonNull(delegate, "delegate");
    }

    @Override
    public boolean supportsDomainSockets() {
      return delegate.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return delegate.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return delegate.unavailabilityCause();
    }

    @Override
    public java.net.SocketAddress convert(SocketAddress address) {
      return delegate.convert(address);
    }

    @Override
    public SocketAddress convert(java.net.SocketAddress address) {
      return delegate.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return delegate.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
      return delegate.eventLoopGroup(type, threads, factory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
      return delegate.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return delegate.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      return delegate.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      return delegate.serverChannelFactory(domainSocket);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      delegate.configure(channel, options);
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      delegate.configure(options, connectTimeout, domainSocket, bootstrap);
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      delegate.configure(options, domainSocket, bootstrap);
      if (options instanceof HttpServerOptions && !options.isSsl()) {
        bootstrap.handler(Accepted.INSTANCE);
      }
    }
  }
}
