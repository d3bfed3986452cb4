package org.labloop.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.labloop.campaign.CampaignSpec;
import org.labloop.campaign.SourceFile;
import org.labloop.core.InvalidInputException;
import org.labloop.core.Problem;
import org.labloop.core.Suggest;
import org.labloop.protocol.Protocol;
import org.labloop.space.SearchSpace;
import org.labloop.workcell.Workcell;

/**
 * Reads a campaign file and the workcell and protocol files it names into a validated {@link CampaignSpec}. Formats:
 * docs/campaign-file.md, docs/workcell-file.md, docs/protocol-file.md.
 *
 * <p>Every problem in the three files is reported at once, each with its file, line, column and a one-line hint, as a
 * single {@link InvalidInputException}; no other exception escapes. Files are capped at {@value YamlTree#MAX_CHARS}
 * bytes, {@value YamlTree#MAX_DEPTH} levels of nesting and {@value YamlTree#MAX_NODES} values, and YAML aliases are
 * refused, so a hostile file cannot exhaust memory. Instances are immutable and thread-safe.
 */
public final class CampaignLoader {
    public static final String CAMPAIGN = "campaign";
    public static final String WORKCELL = "workcell";
    public static final String PROTOCOL = "protocol";
    /** Role of a parameter's descriptor table: this prefix, then the parameter's name. */
    public static final String DESCRIPTORS = "descriptors:";
    /** Role of a table an emulator reads (the lookup emulator's {@code file}): this prefix, then the path as written. */
    public static final String EMULATOR_TABLE = "table:";

    private final Set<String> plannerTypes;
    private final Set<String> emulatorTypes;

    /**
     * @param plannerTypes names of the planners that exist (the planner registry's names)
     * @param emulatorTypes names of the emulators that exist
     */
    public CampaignLoader(Set<String> plannerTypes, Set<String> emulatorTypes) {
        this.plannerTypes = Set.copyOf(plannerTypes);
        this.emulatorTypes = Set.copyOf(emulatorTypes);
    }

    /**
     * Reads {@code campaignFile} and the workcell and protocol files it names (relative to its folder).
     *
     * @throws InvalidInputException with every problem found in the three files
     */
    public LoadedCampaign load(Path campaignFile) {
        return load(campaignFile, false);
    }

    /**
     * As {@link #load}, but files that read and cannot work as written (see {@link #parseStored}) are returned, with
     * what is wrong in {@link LoadedCampaign#unworkable()}, instead of refused: an unfinished campaign stored from the
     * same files may still be resumed. Whoever creates a new campaign from them refuses those problems.
     */
    public LoadedCampaign loadKeepingUnworkable(Path campaignFile) {
        return load(campaignFile, true);
    }

    private LoadedCampaign load(Path campaignFile, boolean keepUnworkable) {
        Objects.requireNonNull(campaignFile, "campaignFile");
        Doc campaign = new Doc(campaignFile.toString());
        try {
            return loadFrom(campaignFile, campaign, keepUnworkable);
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw internalError(campaign.source(), e);
        }
    }

    /**
     * Rebuilds a campaign from stored file texts (roles campaign, workcell, protocol; as in
     * {@link LoadedCampaign#sources()}) without touching the disk. Gives the same spec as the {@link #load} that
     * produced the texts.
     *
     * @throws InvalidInputException with every problem found
     */
    public LoadedCampaign parse(List<SourceFile> sources) {
        return parse(sources, false);
    }

    /**
     * As {@link #parse}, for a campaign already stored: files that read but cannot work as written (a check added after
     * the campaign was created, such as a timeout shorter than its step) do not stop its data from being read.
     */
    public LoadedCampaign parseStored(List<SourceFile> sources) {
        return parse(sources, true);
    }

    private LoadedCampaign parse(List<SourceFile> sources, boolean stored) {
        Objects.requireNonNull(sources, "sources");
        try {
            return parseSources(sources, stored);
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw internalError("sources", e);
        }
    }

    /**
     * Reads a workcell file on its own (to check it, or to rehearse on its devices).
     *
     * @throws InvalidInputException with every problem found
     */
    public static Workcell loadWorkcell(Path workcellFile) {
        Objects.requireNonNull(workcellFile, "workcellFile");
        Doc doc = new Doc(workcellFile.toString());
        try {
            String text = readOrReport(workcellFile, doc, null, doc, "workcell");
            Node root = text == null ? null : YamlTree.parse(text, doc);
            WorkcellParser.Result w = root == null ? null : WorkcellParser.parse(root, doc);
            if (doc.hasErrors() || w == null || w.workcell() == null) {
                throw failure(doc.problems(), doc);
            }
            return w.workcell();
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw internalError(doc.source(), e);
        }
    }

    // ---------------------------------------------------------------- load and parse

    private LoadedCampaign loadFrom(Path campaignFile, Doc campaign, boolean keepUnworkable) {
        String campaignText = readOrReport(campaignFile, campaign, null, campaign, CAMPAIGN);
        if (campaignText == null) {
            throw failure(campaign.problems(), campaign);
        }
        Node root = YamlTree.parse(campaignText, campaign);
        CampaignParser.Result c =
                root == null ? null : CampaignParser.parse(root, campaign, plannerTypes, emulatorTypes);

        SourceFile workcell = c == null ? null : sibling(campaignFile, c.workcell(), campaign, WORKCELL);
        SourceFile protocol = c == null ? null : sibling(campaignFile, c.protocol(), campaign, PROTOCOL);
        SourceFile campaignSource = SourceFile.of(CAMPAIGN, campaignFile.toString(), campaignText);
        Map<String, SourceFile> tables = new LinkedHashMap<>();
        if (c != null) {
            c.descriptors().forEach((param, ref) -> {
                SourceFile table = sibling(campaignFile, ref, campaign, DESCRIPTORS + param);
                if (table != null) {
                    tables.put(param, table);
                }
            });
        }
        return assemble(campaign, c, campaignSource, workcell, protocol, tables, keepUnworkable);
    }

    private LoadedCampaign parseSources(List<SourceFile> sources, boolean stored) {
        List<Problem> roleProblems = new ArrayList<>();
        SourceFile campaign = role(sources, CAMPAIGN, roleProblems);
        SourceFile workcell = role(sources, WORKCELL, roleProblems);
        SourceFile protocol = role(sources, PROTOCOL, roleProblems);
        Map<String, SourceFile> tables = new LinkedHashMap<>();
        for (SourceFile s : sources) {
            if (s.role().startsWith(DESCRIPTORS)) {
                tables.put(s.role().substring(DESCRIPTORS.length()), s);
            } else if (s.role().startsWith(EMULATOR_TABLE)) {
                continue; // the emulator's data, read by whoever builds the emulator
            } else if (!List.of(CAMPAIGN, WORKCELL, PROTOCOL).contains(s.role())) {
                roleProblems.add(Problem.at(
                        s.path(),
                        "unknown source role '" + s.role() + "'",
                        "roles are campaign, workcell, protocol and " + DESCRIPTORS + "PARAMETER"));
            }
        }
        if (!roleProblems.isEmpty()) {
            throw new InvalidInputException(roleProblems);
        }
        Doc doc = new Doc(campaign.path());
        Node root = YamlTree.parse(campaign.text(), doc);
        CampaignParser.Result c = root == null ? null : CampaignParser.parse(root, doc, plannerTypes, emulatorTypes);
        if (c != null) {
            for (Map.Entry<String, CampaignParser.FileRef> ref : c.descriptors().entrySet()) {
                if (!tables.containsKey(ref.getKey())) {
                    doc.error(
                            ref.getValue().at(),
                            "descriptor table '" + ref.getValue().path() + "' of parameter '" + ref.getKey()
                                    + "' is not among the campaign's files",
                            "the command line reads it beside the campaign file (labloop run); a campaign sent as"
                                    + " texts through the API cannot name one yet, so leave out descriptors there");
                }
            }
        }
        return assemble(doc, c, campaign, workcell, protocol, tables, stored);
    }

    private static SourceFile role(List<SourceFile> sources, String role, List<Problem> problems) {
        List<SourceFile> found =
                sources.stream().filter(s -> s.role().equals(role)).toList();
        if (found.size() != 1) {
            problems.add(Problem.at(
                    "sources",
                    found.isEmpty() ? "no " + role + " file among the sources" : found.size() + " " + role + " files",
                    "a campaign is stored with exactly one campaign, one workcell and one protocol file"));
            return null;
        }
        return found.get(0);
    }

    /** Reads the workcell and protocol files, checks everything together, and builds the spec. */
    private LoadedCampaign assemble(
            Doc campaignDoc,
            CampaignParser.Result c,
            SourceFile campaign,
            SourceFile workcell,
            SourceFile protocol,
            Map<String, SourceFile> tables,
            boolean stored) {
        Doc workcellDoc = new Doc(workcell == null ? WORKCELL : workcell.path());
        Doc protocolDoc = new Doc(protocol == null ? PROTOCOL : protocol.path());

        Node wroot = workcell == null ? null : YamlTree.parse(workcell.text(), workcellDoc);
        WorkcellParser.Result w = wroot == null ? null : WorkcellParser.parse(wroot, workcellDoc);
        Node proot = protocol == null ? null : YamlTree.parse(protocol.text(), protocolDoc);
        ProtocolParser.Context ctx = new ProtocolParser.Context(
                w == null ? null : w.capabilities(),
                w == null ? null : w.name(),
                c == null ? null : c.parameterTypes(),
                w == null ? null : w.workcell(),
                c == null ? null : c.space());
        Protocol p = proot == null ? null : ProtocolParser.parse(proot, protocolDoc, ctx);

        List<Problem> tableProblems = new ArrayList<>();
        SearchSpace space = c == null || c.space() == null
                ? null
                : DescriptorTables.attach(c.space(), c.descriptors(), tables, campaignDoc, tableProblems);
        List<Problem> problems = new ArrayList<>();
        problems.addAll(campaignDoc.problems(!stored));
        problems.addAll(tableProblems);
        problems.addAll(workcellDoc.problems(!stored));
        problems.addAll(protocolDoc.problems(!stored));
        List<Problem> unworkable = new ArrayList<>();
        if (stored) {
            unworkable.addAll(campaignDoc.unworkable());
            unworkable.addAll(workcellDoc.unworkable());
            unworkable.addAll(protocolDoc.unworkable());
        }
        if (!problems.isEmpty()) {
            // Files that do not even read are refused whoever asks; then every problem is said at once.
            problems.addAll(unworkable);
            throw new InvalidInputException(problems);
        }
        try {
            CampaignSpec spec = new CampaignSpec(
                    c.name(),
                    c.description(),
                    space,
                    c.objectives(),
                    c.constraints(),
                    c.budget(),
                    c.batchSize(),
                    c.planner(),
                    c.seed(),
                    w.workcell(),
                    p,
                    c.emulator(),
                    c.priority() == null ? 0 : c.priority(),
                    c.pauseAfterFailures() == null ? CampaignSpec.DEFAULT_PAUSE_AFTER_FAILURES : c.pauseAfterFailures(),
                    c.signaturesNeeded() == null ? 0 : c.signaturesNeeded());
            Map<String, LoadedCampaign.Place> places = new java.util.HashMap<>(campaignDoc.places());
            places.putAll(workcellDoc.places());
            places.putAll(protocolDoc.places());
            List<SourceFile> sources = new ArrayList<>(List.of(campaign, workcell, protocol));
            sources.addAll(tables.values());
            return new LoadedCampaign(spec, sources, places, unworkable);
        } catch (IllegalArgumentException | NullPointerException e) {
            campaignDoc.error(Node.Loc.START, "invalid campaign: " + e.getMessage(), "fix the campaign file");
            throw failure(campaignDoc.problems(), campaignDoc);
        }
    }

    // ---------------------------------------------------------------- files

    /** Reads a file the campaign names, reporting problems at the reference in the campaign file. */
    private static SourceFile sibling(Path campaignFile, CampaignParser.FileRef ref, Doc campaign, String role) {
        if (ref == null) {
            return null;
        }
        Path path;
        try {
            Path parent = campaignFile.getParent();
            path = (parent == null ? Path.of(ref.path()) : parent.resolve(ref.path())).normalize();
        } catch (InvalidPathException e) {
            campaign.error(ref.at(), "'" + ref.path() + "' is not a valid path: " + e.getReason(), "fix the path");
            return null;
        }
        String what = role.startsWith(DESCRIPTORS) ? "descriptor table" : role;
        String text = readOrReport(path, campaign, ref.at(), campaign, what, besideCampaign(campaignFile, path));
        return text == null ? null : SourceFile.of(role, path.toString(), text);
    }

    /**
     * The text of {@code path}, or null after reporting why it cannot be read: to {@code doc} at {@code at}, or as a
     * problem with the file itself when {@code at} is null.
     */
    private static String readOrReport(Path path, Doc doc, Node.Loc at, Doc self, String role) {
        return readOrReport(path, doc, at, self, role, "");
    }

    /**
     * "there is a NAME beside the campaign file" when a file of the missing one's name is there (the path went
     * elsewhere, as {@code ../NAME} does); empty otherwise.
     */
    private static String besideCampaign(Path campaignFile, Path missing) {
        Path dir = campaignFile.toAbsolutePath().getParent();
        Path name = missing.getFileName();
        if (dir == null || name == null || Files.exists(missing)) {
            return "";
        }
        Path beside = dir.resolve(name);
        return !beside.equals(missing.toAbsolutePath().normalize()) && Files.isRegularFile(beside)
                ? "there is a " + name + " beside the campaign file: to use it, write " + name
                : "";
    }

    private static String readOrReport(Path path, Doc doc, Node.Loc at, Doc self, String role, String besides) {
        String problem;
        String hint;
        try {
            if (Files.isDirectory(path)) {
                problem = role + " file " + path + " is a folder";
                hint = "name the " + role + " file itself";
            } else if (Files.exists(path) && !Files.isRegularFile(path)) {
                problem = role + " file " + path + " is not a regular file";
                hint = "name a YAML text file";
            } else {
                return read(path);
            }
        } catch (NoSuchFileException e) {
            Path absolute = path.toAbsolutePath().normalize();
            problem = role + " file " + path
                    + (absolute.toString().equals(path.toString()) ? "" : " (" + absolute + ")") + " does not exist";
            hint = besides.isEmpty() ? missingHint(path, at != null) : besides;
        } catch (AccessDeniedException e) {
            problem = role + " file " + path + " cannot be read: permission denied";
            hint = "check the file's permissions";
        } catch (TooLarge e) {
            problem = role + " file " + path + " is larger than " + YamlTree.MAX_CHARS + " bytes";
            hint = "a LabLoop file is a few kilobytes; check that this is the right file";
        } catch (CharacterCodingException e) {
            problem = role + " file " + path + " is not UTF-8 text";
            hint = "save it as UTF-8";
        } catch (IOException e) {
            problem = role + " file " + path + " cannot be read: " + e.getMessage();
            hint = "check the path and the file";
        }
        if (at == null) {
            self.fileError(problem, hint);
        } else {
            doc.error(at, problem, hint);
        }
        return null;
    }

    private static String missingHint(Path path, boolean relativeToCampaign) {
        String suggestion = similarFile(path);
        if (!suggestion.isEmpty()) {
            return suggestion;
        }
        if (relativeToCampaign) {
            return "the path is relative to the campaign file's folder";
        }
        return "check the path (the current folder is " + Path.of("").toAbsolutePath() + ")";
    }

    /**
     * "did you mean 'x'?" for the file of the same kind (CSV, or YAML) beside a missing {@code path} whose name is
     * closest to its name; empty when none is close.
     */
    public static String similarFile(Path path) {
        Path dir = path.toAbsolutePath().getParent();
        List<String> names = new ArrayList<>();
        if (dir != null && Files.isDirectory(dir)) {
            String glob = String.valueOf(path.getFileName())
                            .toLowerCase(java.util.Locale.ROOT)
                            .endsWith(".csv")
                    ? "*.csv"
                    : "*.{yaml,yml}";
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
                for (Path f : files) {
                    if (names.size() < 200) {
                        names.add(f.getFileName().toString());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no suggestion then
            }
        }
        Path fileName = path.getFileName();
        return fileName == null
                ? ""
                : Suggest.didYouMean(fileName.toString(), names).strip();
    }

    private static String read(Path path) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(YamlTree.MAX_CHARS + 1);
        }
        if (bytes.length > YamlTree.MAX_CHARS) {
            throw new TooLarge();
        }
        String text = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private static InvalidInputException failure(List<Problem> problems, Doc doc) {
        if (problems.isEmpty()) {
            return new InvalidInputException(Problem.at(
                    doc.source(), "the file could not be read", "this is a bug in LabLoop; please report it"));
        }
        return new InvalidInputException(problems);
    }

    private static InvalidInputException internalError(String source, RuntimeException e) {
        return new InvalidInputException(Problem.at(
                source,
                "internal error while reading: " + e,
                "this is a bug in LabLoop; please report it with the file"));
    }
}
