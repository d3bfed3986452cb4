package org.labloop.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.labloop.api.ApiServer;
import org.labloop.api.ApiTokens;
import org.labloop.core.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labloop serve}: the REST API, live event streams and the dashboard over the store in {@code --data}. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run campaigns and serve the REST API (/api/v1), live updates and the web dashboard.")
final class ServeCommand implements Callable<Integer> {
    /** Default pace: the 40-experiment SnAr demo (about 4 virtual hours) takes about 30 s to watch. */
    static final double DEFAULT_PACE = 500;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on (default: 8080; 0 = any free port).")
    int port = 8080;

    @Option(
            names = "--host",
            paramLabel = "ADDR",
            description = "Address to bind (default: 127.0.0.1, this machine only). Put a TLS proxy in front before "
                    + "binding anything else.")
    String host = "127.0.0.1";

    @Option(
            names = "--pace",
            paramLabel = "X|max",
            description = "Speed of simulated campaigns: virtual seconds per real second (default: 500, so the demo "
                    + "takes about 30 s); 'max' runs them as fast as possible. Event times stay virtual.")
    String pace = Double.toString(DEFAULT_PACE);

    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        org.labloop.store.StoreLocation dataDir = data.location();
        String home = System.getProperty("labloop.home");
        Path examples = (home == null ? Path.of("") : Path.of(home)).resolve("examples");
        if (port < 0 || port > 65_535) {
            throw InvalidInputException.of(
                    "--port", "port " + port + " does not exist", "give a port from 1 to 65535, or 0 for any free one");
        }
        ApiServer server = new ApiServer(new ApiServer.Options(
                host,
                port,
                dataDir,
                parsePace(pace),
                Files.isDirectory(examples) ? examples : null,
                Path.of("").toAbsolutePath()));
        int actual = server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + actual;
        out.println("LabLoop " + org.labloop.core.Version.current() + " serving " + where(dataDir));
        out.println("  dashboard  " + url + "/");
        out.println("  API        " + url + "/api/v1  (OpenAPI: " + url + "/openapi.yaml, Swagger UI: " + url
                + "/swagger.html)");
        out.println("  metrics    " + url + "/metrics   health: " + url + "/health");
        ApiTokens tokens = server.tokens();
        if (!tokens.any()) {
            ApiTokens.Issued issued = tokens.create("admin", "admin");
            out.println();
            out.println("No API token existed, so one was issued for 'admin' (shown once, stored only as a hash):");
            out.println("  " + issued.token());
            out.println("Paste it on the dashboard's login page, or send it as 'Authorization: Bearer TOKEN'.");
        } else {
            out.println();
            out.println("Log in with an API token (paste it on the dashboard, or send 'Authorization: Bearer TOKEN').");
            out.println("Issue one with: " + RunCommand.launcher() + " token create --name NAME" + dataHint());
        }
        out.println("Stop with Ctrl-C.");
        out.flush();
        stopped.await();
        return 0;
    }

    private String dataHint() {
        return data.hint();
    }

    private static String where(org.labloop.store.StoreLocation location) {
        return location instanceof org.labloop.store.StoreLocation.Directory d
                ? d.path().toAbsolutePath().toString()
                : location.describe();
    }

    static double parsePace(String text) {
        if (text.equalsIgnoreCase("max")) {
            return 0;
        }
        try {
            double p = Double.parseDouble(text);
            if (p > 0 && Double.isFinite(p)) { // 0 would read as a run held still, not as max
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw InvalidInputException.of(
                "--pace", "'" + text + "' is not a pace", "give a positive number (virtual seconds per second) or max");
    }
}
