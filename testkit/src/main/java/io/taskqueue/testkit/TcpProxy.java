package io.taskqueue.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy in front of a real server (PostgreSQL, Redis, ...) that a test can cut and
 * restore: {@link #cut()} closes every open connection and refuses new ones, as a crashed or
 * unreachable server would look to its clients; {@link #restore()} accepts again. The server
 * itself, shared with other tests, is never touched.
 */
public final class TcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final int port;
  private volatile ServerSocket listener;
  private volatile boolean closed;

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.port = listener.getLocalPort();
    startAccepting(listener);
  }

  /** A proxy on a free loopback port forwarding to {@code host:port}. */
  public static TcpProxy to(String host, int port) {
    try {
      return new TcpProxy(host, port);
    } catch (IOException e) {
      throw new IllegalStateException("Could not open a proxy port", e);
    }
  }

  /** The proxy's port on 127.0.0.1; clients connect here instead of the server. */
  public int port() {
    return port;
  }

  /** Drops every connection and refuses new ones until {@link #restore()}. */
  public synchronized void cut() {
    closeQuietly(listener);
    listener = null;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /** Accepts connections again, on the same port. */
  public synchronized void restore() {
    if (listener != null || closed) {
      return;
    }
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
      listener = socket;
      startAccepting(socket);
    } catch (IOException e) {
      throw new IllegalStateException("Could not reopen proxy port " + port, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    cut();
  }

  private void startAccepting(ServerSocket socket) {
    Thread.ofVirtual()
        .name("tcp-proxy-" + port)
        .start(
            () -> {
              while (!socket.isClosed()) {
                try {
                  Socket client = socket.accept();
                  Socket server = new Socket(targetHost, targetPort);
                  open.add(client);
                  open.add(server);
                  pipe(client, server);
                  pipe(server, client);
                } catch (IOException e) {
                  return; // listener closed by cut() or close()
                }
              }
            });
  }

  private void pipe(Socket from, Socket to) {
    Thread.ofVirtual()
        .start(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (SocketException e) {
                // Cut or closed by the other side.
              } catch (IOException e) {
                // Same: the connection is gone.
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
              }
            });
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // Closing is best effort.
    }
  }
}
