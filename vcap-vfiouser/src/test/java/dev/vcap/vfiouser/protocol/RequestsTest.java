package dev.vcap.vfiouser.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.vfiouser.protocol.ProtocolException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command structures: one test per way a payload can be wrong. */
class RequestsTest {

    private static Message message(int command, byte[] payload) {
        ByteBuffer b = Frames.message(1, command, 0, payload);
        return new Message(Header.decode(b), b.position(Header.LENGTH).slice(), List.of());
    }

    @Test
    void decodesARegionWrite() throws Exception {
        Requests.RegionAccess w = Requests.RegionAccess.decodeWrite(message(10, Frames.regionAccess(0xffe, 7, 2,
                new byte[] {5, 0})));
        assertThat(w.offset()).isEqualTo(0xffe);
        assertThat(w.region()).isEqualTo(7);
        assertThat(w.data()).containsExactly(5, 0);
    }

    @Test
    void shortPayload() {
        assertThatThrownBy(() -> Requests.RegionInfo.decode(message(5, new byte[12])))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(
                        Reason.SHORT_PAYLOAD))
                .hasMessage("VFIO_USER_DEVICE_GET_REGION_INFO id 1 size 28 flags 0x0: 12 payload bytes, the region"
                        + " info structure has 32");
    }

    @Test
    void writeCountDisagreesWithItsData() {
        assertThatThrownBy(() -> Requests.RegionAccess.decodeWrite(message(10, Frames.regionAccess(0, 7, 4,
                new byte[2])))).isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INCONSISTENT_LENGTH))
                .hasMessage("VFIO_USER_REGION_WRITE id 1 size 34 flags 0x0: count 4 but 2 data bytes follow");
    }

    @Test
    void versionCapabilitiesWithoutTheirNul() {
        byte[] p = {0, 0, 0, 0, '{', '}'};
        assertThatThrownBy(() -> Requests.Version.decode(message(1, p))).isInstanceOfSatisfying(
                ProtocolException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_VERSION))
                .hasMessage("VFIO_USER_VERSION id 1 size 22 flags 0x0: the capabilities are not NUL-terminated");
    }

    @Test
    void versionCapabilitiesThatAreNotJson() {
        assertThatThrownBy(() -> Requests.Version.decode(message(1, Frames.version("{capabilities")))).hasMessageStartingWith(
                "VFIO_USER_VERSION id 1 size 34 flags 0x0: the capabilities are not JSON: ");
    }

    @Test
    void versionCapabilitiesThatAreNotAnObject() {
        assertThatThrownBy(() -> Requests.Version.decode(message(1, Frames.version("[1]")))).hasMessage(
                "VFIO_USER_VERSION id 1 size 24 flags 0x0: the capabilities are not a JSON object");
    }

    @Test
    void versionWithoutCapabilities() throws Exception {
        Requests.Version v = Requests.Version.decode(message(1, new byte[4]));
        assertThat(v.capabilities()).isNull();
        assertThat(new String(Frames.version("{}"), StandardCharsets.UTF_8)).endsWith("{}\0");
    }
}
