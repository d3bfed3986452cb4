package org.labloop.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.labloop.api.ApiTokens;
import org.labloop.api.Principal;
import org.labloop.campaign.Approval;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.CampaignState;
import org.labloop.core.InvalidInputException;
import org.labloop.event.Event;
import org.labloop.event.EventBody;
import org.labloop.lab.CampaignRunner;
import org.labloop.lab.Lab;
import org.labloop.lab.LabStore;
import org.labloop.lab.Signing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labloop sign ID}: a person signs a campaign's definition before it runs. They prove who they are with their
 * API token (typed at the prompt, or read from a file or standard input, never from the command line, where it would
 * stay in the shell's history); the signature records their name, their role, its meaning and the time.
 */
@Command(
        name = "sign",
        mixinStandardHelpOptions = true,
        description = "Sign a campaign before it runs (its file asks for 'approval: {signatures: N}'). You prove who"
                + " you are with your token (labloop token create): typed at the prompt, or --token-file.")
final class SignCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The campaign id (see labloop status).")
    String id;

    @Option(
            names = "--meaning",
            paramLabel = "TEXT",
            description = "What your signature means (recorded with it; default: '" + Signing.DEFAULT_MEANING + "').")
    String meaning = Signing.DEFAULT_MEANING;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "Read your token from the first line of this file ('-': standard input) instead of asking.")
    Path tokenFile;

    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    /** Where a signature from this command comes from, for the record of refusals. */
    private static final String SOURCE = "cli " + System.getProperty("user.name");

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Lab.openExisting(data.location()).close();
        String cid;
        try (LabStore store = LabStore.open(data.location())) {
            cid = Lab.pickCampaign(store.log(), id);
        }
        String token = token();
        if (token.isEmpty()) {
            throw InvalidInputException.of(
                    tokenFile == null ? "the token" : "--token-file " + tokenFile,
                    "no token was given",
                    "type your token at the prompt, or give --token-file FILE");
        }
        Principal who;
        try (ApiTokens tokens = ApiTokens.open(data.location())) {
            who = tokens.authenticate(token).orElseThrow(() -> {
                tokens.refused(ApiTokens.SIGNATURE_REFUSED, "?", cid, SOURCE, "not a valid token of this store");
                return InvalidInputException.of(
                        tokenFile == null ? "token" : "--token-file " + tokenFile,
                        "not a valid token of this store (unknown or revoked)",
                        "use the token printed for you by: " + RunCommand.launcher() + " token create --name YOU"
                                + data.hint());
            });
        }
        try (LabStore store = LabStore.open(data.location())) {
            CampaignSpec campaign = new CampaignRunner(new Lab())
                    .prepareStored(Lab.load(store.log(), cid))
                    .spec();
            Event signed;
            try {
                signed = Signing.sign(
                        store, cid, campaign.signaturesNeeded(), who.name(), who.role(), meaning, Clock.systemUTC());
            } catch (Signing.Refused e) {
                try (ApiTokens tokens = ApiTokens.open(data.location())) {
                    tokens.refused(ApiTokens.SIGNATURE_REFUSED, who.name(), cid, SOURCE, e.getMessage());
                } catch (RuntimeException notRecorded) {
                    e.addSuppressed(notRecorded); // the refusal is what the signer must hear
                }
                throw e;
            }
            EventBody.CampaignSigned mine = (EventBody.CampaignSigned) signed.body();
            out.printf(
                    "Campaign %s signed by %s (%s) at %s: \"%s\".%n",
                    cid, mine.signer(), mine.role(), mine.signedAt(), mine.meaning());
            CampaignState state = Lab.load(store.log(), cid);
            int missing = Approval.missing(campaign, state);
            String signers = state.signatures().stream()
                    .map(CampaignState.Signature::signer)
                    .collect(Collectors.joining(", "));
            if (missing > 0) {
                out.printf(
                        "Signatures: %d of %d (%s); %d more before it can run, each from another person.%n",
                        state.signatures().size(), campaign.signaturesNeeded(), signers, missing);
            } else {
                out.printf(
                        "Signatures: %d of %d (%s). It may run now: %s resume %s%s%n",
                        state.signatures().size(),
                        campaign.signaturesNeeded(),
                        signers,
                        RunCommand.launcher(),
                        cid,
                        data.hint());
            }
        }
        return 0;
    }

    /** The signer's token: from --token-file, else typed at the terminal without echo, else standard input. */
    private String token() {
        try {
            if (tokenFile != null) {
                if (tokenFile.toString().equals("-")) {
                    return firstLine(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
                }
                if (!Files.isRegularFile(tokenFile)) {
                    throw InvalidInputException.of(
                            "--token-file " + tokenFile.toAbsolutePath(),
                            "does not exist or is not a file",
                            "give the file that holds your token");
                }
                try (BufferedReader r = Files.newBufferedReader(tokenFile, StandardCharsets.UTF_8)) {
                    return firstLine(r);
                }
            }
            Console console = System.console();
            if (console != null) {
                char[] typed = console.readPassword("Token of the person signing: ");
                return typed == null ? "" : new String(typed).strip();
            }
            return firstLine(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw InvalidInputException.of("the token", "cannot be read: " + e.getMessage(), "try --token-file FILE");
        }
    }

    private static String firstLine(BufferedReader r) throws IOException {
        String line = r.readLine();
        return line == null ? "" : line.strip();
    }
}
