package org.labloop.cli;

import java.io.PrintWriter;
import org.labloop.core.LabLoopException;
import org.labloop.core.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code labloop} command. */
@Command(
        name = "labloop",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "LabLoop: closed-loop autonomous experimentation (design, make, test, analyse).",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            ResumeCommand.class,
            ControlCommands.Pause.class,
            ControlCommands.Abort.class,
            ControlCommands.Ack.class,
            SignCommand.class,
            ChaosCommand.class,
            BenchCommand.class,
            StatusCommand.class,
            ExportCommand.class,
            VerifyCommand.class,
            ServeCommand.class,
            TokenCommand.class,
            LoadTestCommand.class,
            FuzzCommand.class,
            PlanCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    /** Exit code for a bug: something LabLoop did not expect. */
    static final int INTERNAL_ERROR = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Set once the command has returned: a shutdown before that came from a signal (kill, Ctrl-C). */
    private static volatile boolean returned;

    /** What to type after a signal, once the running command knows its campaign and store. */
    private static volatile String afterSignal =
            "labloop status shows where the campaign is, labloop resume continues it";

    /** Says, should a signal stop this process, how to see and continue the campaign it runs. */
    static void whenStopped(String commands) {
        afterSignal = commands;
    }

    public static void main(String[] args) {
        if (args.length > 0 && java.util.Set.of("run", "resume", "demo").contains(args[0])) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                if (!returned) {
                                    System.err.println("labloop: stopped by a signal; what was recorded stays in the"
                                            + " store: " + afterSignal);
                                }
                            },
                            "labloop-signal-note"));
        }
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        returned = true;
        System.exit(code);
    }

    /** Runs the CLI and returns its exit code; used by tests with their own writers. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --format JSON as well as json
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof LabLoopException e) {
                err.println("labloop: " + terminalSafe(e.getMessage()));
                return e.exitCode();
            }
            err.println("labloop: internal error, please report it: " + ex);
            ex.printStackTrace(err);
            return INTERNAL_ERROR;
        });
        return cl.execute(args);
    }

    /**
     * A message as a terminal may show it: a message quotes what was given (a name, a value, a path), and a control or
     * text-direction character in it would move the cursor, clear the screen or reverse the text. The message's own
     * line breaks stay.
     */
    static String terminalSafe(String message) {
        if (message == null) {
            return null;
        }
        return java.util.Arrays.stream(message.split("\n", -1))
                .map(org.labloop.core.AuditText::visible)
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"labloop " + Version.current()};
        }
    }
}
