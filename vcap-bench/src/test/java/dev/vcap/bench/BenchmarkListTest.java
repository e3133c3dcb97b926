package dev.vcap.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * JMH only runs benchmarks its annotation processor listed at compile time; on JDK 23+ the
 * processor must be named in the compiler configuration, or the list is silently empty.
 */
class BenchmarkListTest {

    private static String benchmarkList() throws Exception {
        try (InputStream in = BenchmarkListTest.class.getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            assertThat(in).as("META-INF/BenchmarkList").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Each list line names the benchmark class, its generated class, then the method. */
    static void assertListed(String benchmarkClass, String method) throws Exception {
        Pattern entry = Pattern.compile("S \\d+ " + Pattern.quote("dev.vcap.bench." + benchmarkClass)
                + " S \\d+ \\S+ S \\d+ " + Pattern.quote(method) + " ");
        assertThat(entry.matcher(benchmarkList()).find()).as(benchmarkClass + "." + method + " listed").isTrue();
    }

    @Test
    void annotationProcessorGeneratedTheBenchmarkList() throws Exception {
        assertListed("ChainWalkBenchmark", "walk");
        assertListed("VirtualConfigSpaceBenchmark", "emulatedRead");
        assertListed("VirtualConfigSpaceBenchmark", "emulatedWrite");
        assertListed("VirtualConfigSpaceBenchmark", "passThroughRead");
    }
}
