import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.constant.ClassDesc;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Re-emits, in every jar of a directory, the classes of class file version 49 or older as version
 * 52 with stack map frames, instruction for instruction; everything else in the jar is copied as it
 * is. Jars without such classes are left alone.
 *
 * <p>Why: picocli 4.7 is compiled for Java 5 (version 49), and HotSpot's ahead-of-time cache stores
 * no class older than version 50 — nor any class linked to one, such as vcap's own picocli type
 * converters. Without this, every run of vcap parses, verifies and links picocli's classes anew,
 * which was most of a short run's start-up (docs/PERFORMANCE.md). Version 52 changes nothing a
 * version 49 class can express; the stack maps are computed by java.lang.classfile, as javac would
 * write them, and the split verifier checks them at run time.
 *
 * <p>Usage (the build runs it on the CLI's lib/, before the ahead-of-time cache is made):
 * {@code java RetargetOldClasses.java DIR}
 */
public final class RetargetOldClasses {

    static final int OLDEST_KEPT = 50;

    public static void main(String[] args) throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(args[0]), "*.jar")) {
            for (Path jar : jars) {
                int n = retarget(jar);
                if (n > 0) {
                    System.out.println("RetargetOldClasses: " + jar.getFileName() + ": " + n
                            + " classes re-emitted as class file version 52");
                }
            }
        }
    }

    /** Rewrites {@code jar} in place when it holds old classes; returns how many were re-emitted. */
    static int retarget(Path jar) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, Long> times = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                entries.put(e.getName(), e.isDirectory() ? null : in.readAllBytes());
                times.put(e.getName(), e.getTime());
            }
        }
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver
                .ofResourceParsing((ClassDesc c) -> stream(entries, c)).orElse(ClassHierarchyResolver.defaultResolver())));
        int retargeted = 0;
        for (var e : entries.entrySet()) {
            byte[] bytes = e.getValue();
            if (bytes == null || !e.getKey().endsWith(".class") || e.getKey().startsWith("META-INF/")) {
                continue;
            }
            ClassModel model = cf.parse(bytes);
            if (model.majorVersion() >= OLDEST_KEPT) {
                continue;
            }
            // rebuilding every method body makes the library compute its stack map frames
            e.setValue(cf.transformClass(model, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                    .andThen((builder, element) -> {
                        if (element instanceof ClassFileVersion) {
                            builder.withVersion(ClassFile.JAVA_8_VERSION, 0);
                        } else {
                            builder.with(element);
                        }
                    })));
            retargeted++;
        }
        if (retargeted == 0) {
            return 0;
        }
        Path tmp = Files.createTempFile(jar.getParent(), jar.getFileName().toString(), ".tmp");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            for (var e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(times.get(e.getKey()));
                out.putNextEntry(entry);
                if (e.getValue() != null) {
                    out.write(e.getValue());
                }
                out.closeEntry();
            }
        }
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(jar));
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return retargeted;
    }

    private static InputStream stream(Map<String, byte[]> entries, ClassDesc c) {
        String d = c.descriptorString();
        byte[] b = entries.get(d.substring(1, d.length() - 1) + ".class");
        return b == null ? null : new ByteArrayInputStream(b);
    }
}
