package dev.vcap.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * JMH only runs benchmarks its annotation processor listed at compile time; on JDK 23+ the
 * processor must be named in the compiler configuration, or the list is silently empty. The list is
 * read with JMH's own parser: its lines are serialized entries, not "class.method" names.
 */
class BenchmarkListTest {

    private static List<String> listed() throws Exception {
        try (InputStream in = BenchmarkListTest.class.getClassLoader().getResourceAsStream(BenchmarkList.BENCHMARK_LIST
                .substring(1))) {
            assertThat(in).as("META-INF/BenchmarkList").isNotNull();
            return BenchmarkList.readBenchmarkList(in).stream().map(BenchmarkListEntry::getUsername).toList();
        }
    }

    @Test
    void annotationProcessorGeneratedTheBenchmarkList() throws Exception {
        assertThat(listed()).contains("dev.vcap.bench.ChainWalkBenchmark.walk");
    }

    @Test
    void vmmBenchmarksAreListed() throws Exception {
        assertThat(listed()).contains(
                "dev.vcap.bench.VirtualConfigSpaceBenchmark.emulatedRead",
                "dev.vcap.bench.VirtualConfigSpaceBenchmark.emulatedWrite",
                "dev.vcap.bench.VirtualConfigSpaceBenchmark.passThroughRead");
    }

    @Test
    void hostBenchmarksAreListed() throws Exception {
        assertThat(listed()).contains(
                "dev.vcap.bench.HostAttachDetachBenchmark.pasidAttachDetach",
                "dev.vcap.bench.HostAttachDetachBenchmark.ridAttachDetach",
                "dev.vcap.bench.PasidTableHeapBenchmark.attachAllPasids");
    }
}
