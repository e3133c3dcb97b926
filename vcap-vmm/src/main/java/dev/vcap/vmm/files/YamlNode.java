package dev.vcap.vmm.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML node that remembers its file, line and field path, so every validation error can name
 * them. Numbers may be written in decimal or 0x-hex.
 */
public final class YamlNode {

    private final String file;
    private final String path;
    private final Node node;

    private YamlNode(String file, String path, Node node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    /** The largest file read: SnakeYAML's code-point limit, counted in bytes. */
    static final int MAX_BYTES = 8 << 20;

    /**
     * Parses a file; a YAML syntax error names its line. A file that is not YAML text — bytes that
     * are not UTF-8, or control characters YAML does not allow (binary data) — is refused naming
     * the line and the byte, and {@code expected}, what the file should have been.
     *
     * @param expected e.g. {@code "a layout file (YAML text, docs/LAYOUT.md)"}
     */
    public static YamlNode load(Path file, String expected) {
        String name = file.toString();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new FileFormatException(name, 0, "", "no such file");
        } catch (IOException e) {
            throw new FileFormatException(name, 0, "", "cannot read: " + e.getMessage());
        }
        if (bytes.length > MAX_BYTES) {
            throw new FileFormatException(name, 0, "", "larger than " + (MAX_BYTES >> 20) + " MiB; expected "
                    + expected);
        }
        return parse(new StringReader(text(bytes, name, expected)), name);
    }

    /** The file's text, or an error at the first byte that cannot be YAML text. */
    private static String text(byte[] bytes, String name, String expected) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            throw new FileFormatException(name, lineAt(bytes, at), "", String.format(
                    "not text: byte 0x%02x at offset %d is not UTF-8; expected %s", bytes[at] & 0xFF, at, expected));
        }
        String text = out.flip().toString();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F) {
                int at = text.substring(0, i).getBytes(StandardCharsets.UTF_8).length;
                throw new FileFormatException(name, lineAt(bytes, at), "", String.format(
                        "binary data: control character 0x%02x at offset %d, which YAML does not allow; expected %s",
                        (int) c, at, expected));
            }
        }
        return text;
    }

    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            line += bytes[i] == '\n' ? 1 : 0;
        }
        return line;
    }

    /** Parses YAML text from a reader, naming it {@code name} in errors. */
    public static YamlNode parse(Reader reader, String name) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit(8 << 20);
        try {
            Node root = new Yaml(options).compose(reader);
            if (root == null) {
                throw new FileFormatException(name, 0, "", "the file is empty; expected a YAML mapping");
            }
            return new YamlNode(name, "", root);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new FileFormatException(name, line, "", "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new FileFormatException(name, 0, "", "not valid YAML: " + e.getMessage());
        }
    }

    public String file() {
        return file;
    }

    /** 1-based line of this node. */
    public int line() {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** The field path, e.g. {@code quirks[2].match.vendor}. */
    public String path() {
        return path;
    }

    public FileFormatException error(String message) {
        return new FileFormatException(file, line(), path, message);
    }

    // ---------------------------------------------------------------- mappings

    private MappingNode mapping() {
        if (node instanceof MappingNode m) {
            return m;
        }
        throw error("expected a mapping (key: value lines), found " + describe());
    }

    /** The keys of a mapping, in file order. */
    public Map<String, YamlNode> fields() {
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple t : mapping().getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new YamlNode(file, path, t.getKeyNode()).error("expected a plain key");
            }
            out.put(k.getValue(), new YamlNode(file, join(k.getValue()), t.getValueNode()));
        }
        return out;
    }

    /** Refuses keys outside {@code allowed}, naming the first unknown one and the allowed set. */
    public YamlNode onlyKeys(Set<String> allowed) {
        for (var e : fields().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw e.getValue().error("unknown field; expected one of " + new java.util.TreeSet<>(allowed));
            }
        }
        return this;
    }

    public Optional<YamlNode> optional(String key) {
        return Optional.ofNullable(fields().get(key));
    }

    public YamlNode required(String key) {
        YamlNode v = fields().get(key);
        if (v == null) {
            throw new FileFormatException(file, line(), join(key), "missing; this field is required");
        }
        return v;
    }

    // ---------------------------------------------------------------- sequences

    /** The items of a sequence; a single scalar counts as a one-item list. */
    public List<YamlNode> items() {
        if (node instanceof ScalarNode) {
            return List.of(this);
        }
        if (!(node instanceof SequenceNode s)) {
            throw error("expected a list, found " + describe());
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
            out.add(new YamlNode(file, path + "[" + i + "]", s.getValue().get(i)));
        }
        return out;
    }

    // ---------------------------------------------------------------- scalars

    public String text() {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        throw error("expected a single value, found " + describe());
    }

    /** An integer in decimal or 0x-hex within {@code [min, max]}. */
    public int integer(long min, long max) {
        String t = text().trim().replace("_", "");
        long v;
        try {
            v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error("'" + text() + "' is not a number; expected decimal or 0x-hex");
        }
        if (v < min || v > max) {
            throw error(String.format("%s is out of range; expected 0x%x..0x%x", text(), min, max));
        }
        return (int) v;
    }

    public boolean bool() {
        return switch (text().trim()) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw error("'" + text() + "' is not a boolean; expected true or false");
        };
    }

    /** One of {@code allowed}, case-insensitive; returns the upper-case form. */
    public String choice(Set<String> allowed) {
        String v = text().trim().toUpperCase(java.util.Locale.ROOT);
        if (!allowed.contains(v)) {
            throw error("'" + text() + "' is not allowed; expected one of " + new java.util.TreeSet<>(allowed));
        }
        return v;
    }

    private String join(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
}
