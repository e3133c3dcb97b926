package dev.vcap.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every {@link Rule} has a test named after it and a row in docs/HOST.md's error table. */
class RuleCoverageTest {

    private static final List<String> RULE_TESTS = List.of(
            "dev.vcap.host.sim.IommufdRulesTest",
            "dev.vcap.host.sim.ObjectRulesTest",
            "dev.vcap.host.sim.PciCoreRulesTest",
            "dev.vcap.host.uapi.UapiRulesTest");

    /** {@code PASID_ZERO} -> {@code pasidZero}. */
    static String testName(Rule rule) {
        String[] parts = rule.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return b.toString();
    }

    @Test
    void everyRuleHasATestNamedAfterIt() throws ClassNotFoundException {
        Set<String> methods = new java.util.HashSet<>();
        for (String name : RULE_TESTS) {
            for (Method m : Class.forName(name).getDeclaredMethods()) {
                if (m.isAnnotationPresent(org.junit.jupiter.params.ParameterizedTest.class)
                        || m.isAnnotationPresent(Test.class)) {
                    methods.add(m.getName());
                }
            }
        }
        List<String> missing = Arrays.stream(Rule.values()).map(RuleCoverageTest::testName)
                .filter(n -> !methods.contains(n)).toList();
        assertThat(missing).as("rules without a test named after them").isEmpty();
    }

    @Test
    void everyRuleIsInTheErrorTableOfHostMd() throws IOException {
        Path doc = Stream.of(Path.of("../docs/HOST.md"), Path.of("docs/HOST.md")).filter(Files::isRegularFile)
                .findFirst().orElseThrow(() -> new AssertionError("docs/HOST.md not found"));
        String text = Files.readString(doc);
        List<String> missing = Arrays.stream(Rule.values())
                .filter(r -> !text.contains("`" + r.name() + "`") || !text.contains(testName(r)))
                .map(Rule::name).collect(Collectors.toList());
        assertThat(missing).as("rules missing from docs/HOST.md (name and test)").isEmpty();
    }
}
