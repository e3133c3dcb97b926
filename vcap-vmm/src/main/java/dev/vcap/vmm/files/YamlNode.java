package dev.vcap.vmm.files;

import java.io.IOException;
import java.io.Reader;
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

    /** Parses a file; a YAML syntax error names its line. */
    public static YamlNode load(Path file) {
        String name = file.toString();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, name);
        } catch (NoSuchFileException e) {
            throw new FileFormatException(name, 0, "", "no such file");
        } catch (IOException e) {
            throw new FileFormatException(name, 0, "", "cannot read: " + e.getMessage());
        }
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
