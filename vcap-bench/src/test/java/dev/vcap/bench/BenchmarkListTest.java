package dev.vcap.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * JMH only runs benchmarks its annotation processor listed at compile time; on JDK 23+ the
 * processor must be named in the compiler configuration, or the list is silently empty.
 */
class BenchmarkListTest {

    @Test
    void annotationProcessorGeneratedTheBenchmarkList() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            assertThat(in).as("META-INF/BenchmarkList").isNotNull();
            String list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(list).contains("dev.vcap.bench.ChainWalkBenchmark.walk");
        }
    }
}
