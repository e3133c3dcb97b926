package dev.vcap.vmm;

import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import java.util.List;
import java.util.Map;

/** Attach options the tests share. */
public final class TestAttach {

    /** PRI and ATS synthesized next to PASID, placed by the chain without quirks, the default hiding policy. */
    public static final AssignedDevice.Options PRI_AND_ATS = new AssignedDevice.Options(true, true,
            new PlacementOptions(Map.of(), null, List.of(), QuirkTable.empty(), null, true, PlacementOptions.Compat.VCAP),
            HidingPolicy.defaults());

    private TestAttach() {
    }
}
