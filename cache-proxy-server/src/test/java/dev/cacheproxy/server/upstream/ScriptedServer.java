package dev.cacheproxy.server.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server whose every byte a test writes by hand ({@link Script}), so that keep-alive,
 * framing, stalls and closes happen exactly when the test says. Each accepted connection runs the script
 * on its own thread; {@link #connections()} counts them and {@link #requests()} keeps each request head.
 */
public final class ScriptedServer implements AutoCloseable {
    /** What the server does on one connection. */
    @FunctionalInterface
    public interface Script {
        void run(Connection c) throws Exception;
    }

    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();
    private final CopyOnWriteArrayList<String> requests = new CopyOnWriteArrayList<>();

    public ScriptedServer(Script script) throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> {
                        try (s) {
                            script.run(new Connection(s));
                        } catch (Exception e) {
                            // the script's connection ended; the test asserts what the client saw
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    int connections() {
        return connections.get();
    }

    /** The heads of the requests read so far, in order. */
    public java.util.List<String> requests() {
        return requests;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One accepted connection, as a script sees it. */
    public final class Connection {
        private final Socket socket;
        private final InputStream in;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        /** The next request's head (without a body), or null when the client closed the connection. */
        public String readRequest() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            int b;
            while (matched < 4 && (b = in.read()) >= 0) {
                head.write(b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                        ? matched + 1 : 0;
            }
            if (matched < 4) {
                return null;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            requests.add(text);
            return text;
        }

        /** The connection's socket (a script that relays it elsewhere). */
        public Socket socket() {
            return socket;
        }

        /**
         * A CONNECT proxy's part: answers {@code connect} (a {@code CONNECT host:port} head this connection read) with
         * 200, then copies bytes both ways between the client and that port on loopback until either side ends.
         */
        public void tunnel(String connect) throws IOException, InterruptedException {
            int port = Integer.parseInt(connect.split(" ")[1].split(":")[1]);
            try (Socket up = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                write("HTTP/1.1 200 Connection established\r\n\r\n");
                Thread back = Thread.ofVirtual().start(() -> copy(up, socket));
                copy(socket, up);
                back.join();
            }
        }

        private static void copy(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                // one side closed
            }
        }

        /** Reads {@code n} bytes of a request body. */
        byte[] readBody(int n) throws IOException {
            return in.readNBytes(n);
        }

        public void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        void write(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }
    }
}
