package org.labloop.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.labloop.api.ApiTokens;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labloop token create|list|revoke}: API tokens for {@code labloop serve}. */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Issue, list and revoke API tokens for 'labloop serve' (stored only as hashes).",
        subcommands = {
            TokenCommand.Create.class,
            TokenCommand.ListTokens.class,
            TokenCommand.Revoke.class,
            TokenCommand.Refusals.class
        })
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Issue a token and print it once; only its hash is stored.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Who the token is for.")
        String name;

        @Option(
                names = "--role",
                paramLabel = "ROLE",
                description = "viewer (read only), operator (default: may create and control campaigns) or admin.")
        String role = "operator";

        @Mixin
        DataOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ApiTokens tokens = ApiTokens.open(data.location())) {
                java.util.List<Long> older = tokens.list().stream()
                        .filter(i -> i.revokedAt() == null && i.name().equals(name))
                        .map(ApiTokens.Info::id)
                        .toList();
                ApiTokens.Issued issued = tokens.create(name, role);
                PrintWriter out = spec.commandLine().getOut();
                out.println(issued.token());
                out.flush();
                PrintWriter err = spec.commandLine().getErr();
                err.println("Token for '" + name + "' (role " + role + "). It is shown only now: keep it safe.");
                if (!older.isEmpty()) {
                    // Rotation: the old token stays valid until it is revoked on its own.
                    String ids = older.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
                    err.println(
                            older.size() == 1
                                    ? "'" + name + "' also has an older active token (id " + ids
                                            + "); once it is replaced,"
                                            + " revoke it with: " + RunCommand.launcher() + " token revoke --id " + ids
                                            + data.hint()
                                    : "'" + name + "' also has older active tokens (ids " + ids
                                            + "); once they are replaced,"
                                            + " revoke each with: " + RunCommand.launcher() + " token revoke --id ID"
                                            + data.hint());
                }
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (names and roles, no secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            // A listing creates no store where there is none.
            // A listing creates no store where there is none, and upgrades or writes none where there is one.
            try (ApiTokens tokens = ApiTokens.openForReading(data.location())) {
                out.printf("%-4s %-24s %-9s %-26s %s%n", "ID", "NAME", "ROLE", "CREATED", "REVOKED");
                for (ApiTokens.Info i : tokens.list()) {
                    out.printf(
                            "%-4d %-24s %-9s %-26s %s%n",
                            i.id(), i.name(), i.role(), i.createdAt(), i.revokedAt() == null ? "-" : i.revokedAt());
                }
            }
            return 0;
        }
    }

    @Command(
            name = "refusals",
            mixinStandardHelpOptions = true,
            description = "Refused attempts to use a token or to sign (unknown or revoked tokens, another person's"
                    + " token, a role that may not sign): when, who if known, from where, and why.")
    static final class Refusals implements Callable<Integer> {
        @Option(names = "--last", paramLabel = "N", description = "How many of the latest to show (default: 50).")
        int last = 50;

        @Mixin
        DataOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (last < 1 || last > 100_000) {
                throw org.labloop.core.InvalidInputException.of(
                        "--last", "must be 1 to 100000, got " + last, "pass --last 50");
            }
            PrintWriter out = spec.commandLine().getOut();
            // A listing creates no store where there is none, and upgrades or writes none where there is one.
            try (ApiTokens tokens = ApiTokens.openForReading(data.location())) {
                java.util.List<ApiTokens.Refusal> refusals = tokens.refusals(last);
                if (refusals.isEmpty()) {
                    out.println("No refused attempt recorded.");
                    return 0;
                }
                out.printf("%-30s %-17s %-12s %-16s %-18s %s%n", "WHEN", "KIND", "WHO", "CAMPAIGN", "FROM", "WHY");
                for (ApiTokens.Refusal r : refusals) {
                    out.printf(
                            "%-30s %-17s %-12s %-16s %-18s %s%n",
                            ApiTokens.line(r.recordedAt(), 40),
                            ApiTokens.line(r.kind(), 40),
                            ApiTokens.line(r.principal(), 64),
                            r.campaignId() == null ? "-" : ApiTokens.line(r.campaignId(), 100),
                            ApiTokens.line(r.source(), 100),
                            ApiTokens.line(r.detail(), 500));
                }
            }
            return 0;
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = "Revoke every token of NAME, or one token by its ID (as 'token list' shows it).")
    static final class Revoke implements Callable<Integer> {
        @ArgGroup(multiplicity = "1")
        Which which;

        static final class Which {
            @Option(names = "--name", paramLabel = "NAME", description = "Whose tokens to revoke (all of them).")
            String name;

            @Option(
                    names = "--id",
                    paramLabel = "ID",
                    description = "The one token to revoke, for example the old one after issuing a new one.")
            Long id;
        }

        @Mixin
        DataOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ApiTokens tokens = ApiTokens.open(data.location())) {
                java.util.List<ApiTokens.Info> active = tokens.list().stream()
                        .filter(i -> i.revokedAt() == null)
                        .toList();
                if (which.id != null) {
                    long id = which.id;
                    if (!tokens.revokeId(id)) {
                        throw org.labloop.core.InvalidInputException.of(
                                "--id " + id,
                                "no active token has id " + id,
                                active.isEmpty()
                                        ? "there is no active token"
                                        : "active token ids: "
                                                + String.join(
                                                        ", ",
                                                        active.stream()
                                                                .map(i -> i.id() + " (" + i.name() + ")")
                                                                .toList()));
                    }
                    String name = active.stream()
                            .filter(i -> i.id() == id)
                            .map(ApiTokens.Info::name)
                            .findFirst()
                            .orElse("?");
                    spec.commandLine().getOut().println("Revoked token " + id + " of '" + name + "'.");
                    return 0;
                }
                String name = which.name;
                int n = tokens.revoke(name);
                if (n == 0) {
                    java.util.List<String> names =
                            active.stream().map(ApiTokens.Info::name).distinct().toList();
                    throw org.labloop.core.InvalidInputException.of(
                            "--name " + name,
                            "no active token of '" + name + "' to revoke",
                            names.isEmpty()
                                    ? "there is no active token"
                                    : "active tokens belong to: " + String.join(", ", names));
                }
                spec.commandLine().getOut().println("Revoked " + n + " token(s) of '" + name + "'.");
                return 0;
            }
        }
    }
}
