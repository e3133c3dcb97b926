package dev.vcap.pci.decode;

import static dev.vcap.pci.decode.Fields.field;
import static dev.vcap.pci.decode.Fields.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import org.junit.jupiter.api.Test;

/** Each extended-capability view over an image built with known register values. */
class ExtendedViewsTest {

    private static ConfigSpace image(ExtendedCapability kind, ConfigSpaceBuilder.Registers registers) {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x200, kind, 1, registers)
                .build();
    }

    @Test
    void pasid() {
        PasidView v = new PasidView(image(ExtendedCapability.PASID, (c, at) -> {
            c.setU16(at + PasidView.CAPABILITY, 0x1406); // width 20, exec + priv
            c.setU16(at + PasidView.CONTROL, 0x0005); // enable + priv enable
        }), 0x200);
        assertThat(v.maxPasidWidth()).isEqualTo(20);
        assertThat(v.execSupported()).isTrue();
        assertThat(v.privilegedSupported()).isTrue();
        assertThat(v.enabled()).isTrue();
        assertThat(v.execEnabled()).isFalse();
        assertThat(v.privilegedEnabled()).isTrue();
        assertThat(v.kind()).isEqualTo(ExtendedCapability.PASID);
        RegisterField width = field(v, "PASID Capability", "Max PASID Width");
        assertThat(width.offset()).isEqualTo(0x204);
        assertThat(width.width()).isEqualTo(2);
        assertThat(width.bitLow()).isEqualTo(PasidView.MAX_WIDTH_SHIFT);
        assertThat(width.bitHigh()).isEqualTo(12);
        assertThat(width.mask()).isEqualTo(PasidView.MAX_WIDTH_MASK);
        assertThat(width.value()).isEqualTo(20);
        assertThat(width.meaning()).isEqualTo("20 bits");
        assertThat(field(v, "PASID Control", "Execute Permission Enable").meaning()).isEqualTo("-");
        assertThat(field(v, "Extended Capability Header", "PCI Express Extended Capability ID").value()).isEqualTo(0x1B);
        assertThat(PasidView.LENGTH).isEqualTo(ExtendedCapability.PASID.length(null, 0, null));
    }

    @Test
    void ats() {
        AtsView v = new AtsView(image(ExtendedCapability.ATS, (c, at) -> {
            c.setU16(at + AtsView.CAPABILITY, 0x0060); // IQD 0 (= 32), page aligned, global invalidate
            c.setU16(at + AtsView.CONTROL, 0x8003); // enable, STU 3 (32 KiB)
        }), 0x200);
        assertThat(v.invalidateQueueDepth()).isZero();
        assertThat(v.effectiveInvalidateQueueDepth()).isEqualTo(32);
        assertThat(v.pageAlignedRequest()).isTrue();
        assertThat(v.globalInvalidateSupported()).isTrue();
        assertThat(v.relaxedOrderingSupported()).isFalse();
        assertThat(v.smallestTranslationUnit()).isEqualTo(3);
        assertThat(v.smallestTranslationBytes()).isEqualTo(32 * 1024);
        assertThat(v.enabled()).isTrue();
        assertThat(field(v, "ATS Control", "Enable").bitLow()).isEqualTo(15);
        assertThat(field(v, "ATS Control", "Smallest Translation Unit").meaning()).isEqualTo("3 (32KB)");
        assertThat(field(v, "ATS Capability", "Invalidate Queue Depth").meaning()).isEqualTo("0 (32)");
    }

    @Test
    void pri() {
        PriView v = new PriView(image(ExtendedCapability.PRI, (c, at) -> {
            c.setU16(at + PriView.CONTROL, PriView.CONTROL_ENABLE);
            c.setU16(at + PriView.STATUS, PriView.STATUS_STOPPED | PriView.STATUS_PRG_RESPONSE_PASID_REQUIRED
                    | PriView.STATUS_RESPONSE_FAILURE);
            c.setU32(at + PriView.CAPACITY, 0x8000);
            c.setU32(at + PriView.ALLOCATION, 0xFFFF_FFFF);
        }), 0x200);
        assertThat(v.enabled()).isTrue();
        assertThat(v.reset()).isFalse();
        assertThat(v.stopped()).isTrue();
        assertThat(v.prgResponsePasidRequired()).isTrue();
        assertThat(v.responseFailure()).isTrue();
        assertThat(v.unexpectedPageRequestGroupIndex()).isFalse();
        assertThat(v.outstandingPageRequestCapacity()).isEqualTo(0x8000);
        assertThat(v.outstandingPageRequestAllocation()).isEqualTo(0xFFFF_FFFFL);
        assertThat(value(v, "Outstanding Page Request Allocation", "Outstanding Page Request Allocation"))
                .isEqualTo(0xFFFF_FFFFL);
        assertThat(field(v, "Page Request Status", "Stopped").offset()).isEqualTo(0x206);
        assertThat(PriView.LENGTH).isEqualTo(16);
    }

    @Test
    void sriov() {
        SriovView v = new SriovView(image(ExtendedCapability.SRIOV, (c, at) -> {
            c.setU32(at + SriovView.CAPABILITIES, 5 << SriovView.CAP_MIGRATION_INTERRUPT_SHIFT | SriovView.CAP_VF_MIGRATION);
            c.setU16(at + SriovView.CONTROL, SriovView.CTRL_VF_ENABLE | SriovView.CTRL_VF_MSE);
            c.setU16(at + SriovView.INITIAL_VFS, 7);
            c.setU16(at + SriovView.TOTAL_VFS, 7);
            c.setU16(at + SriovView.NUM_VFS, 3);
            c.setU16(at + SriovView.FIRST_VF_OFFSET, 0x180);
            c.setU16(at + SriovView.VF_STRIDE, 4);
            c.setU16(at + SriovView.VF_DEVICE_ID, 0x1520);
            c.setU32(at + SriovView.SUPPORTED_PAGE_SIZES, 0x553);
            c.setU32(at + SriovView.SYSTEM_PAGE_SIZE, 1);
            c.setU32(at + SriovView.VF_BAR0, 0xE000_000C); // 64-bit prefetchable
            c.setU32(at + SriovView.VF_BAR0 + 4, 0x20);
            c.setU32(at + SriovView.VF_MIGRATION_STATE, 0x1000 | 2);
        }), 0x200);
        assertThat(v.totalVfs()).isEqualTo(7);
        assertThat(v.initialVfs()).isEqualTo(7);
        assertThat(v.numVfs()).isEqualTo(3);
        assertThat(v.firstVfOffset()).isEqualTo(0x180);
        assertThat(v.vfStride()).isEqualTo(4);
        assertThat(v.vfRoutingIdOffset(3)).isEqualTo(0x180 + 8);
        assertThat(v.vfDeviceId()).isEqualTo(0x1520);
        assertThat(v.vfEnable()).isTrue();
        assertThat(v.vfMemorySpaceEnable()).isTrue();
        assertThat(v.vfMigrationEnable()).isFalse();
        assertThat(v.vfMigrationCapable()).isTrue();
        assertThat(v.vfMigrationInterruptMessageNumber()).isEqualTo(5);
        assertThat(v.supportedPageSizes()).isEqualTo(0x553);
        assertThat(v.vfBar(1)).isEqualTo(0x20);
        assertThat(v.vfBar(6)).isZero();
        assertThat(field(v, "VF Device ID", "VF Device ID").meaning()).isEqualTo("1520");
        assertThat(field(v, "System Page Size", "System Page Size").meaning()).isEqualTo("4KB");
        assertThat(field(v, "VF BAR 0", "Memory Type").meaning()).isEqualTo("64-bit");
        assertThat(field(v, "VF BAR 0", "Prefetchable").meaning()).isEqualTo("+");
        assertThat(field(v, "VF BAR 1", "Base Address (upper 32 bits)").value()).isEqualTo(0x20);
        assertThat(field(v, "VF Migration State Array Offset", "VF Migration State BIR").value()).isEqualTo(2);
        assertThat(field(v, "SR-IOV Capabilities", "VF Migration Interrupt Message Number").bitHigh()).isEqualTo(31);
        assertThat(SriovView.LENGTH).isEqualTo(0x40);
    }

    @Test
    void aerWithAndWithoutRootRegisters() {
        ConfigSpace cs = ConfigSpaceBuilder.bridge(0x8086, 0x466e)
                .pcie(0x40, DeviceTraits.PCIE_ROOT_PORT)
                .extended(0x100, ExtendedCapability.AER, 2, (c, at) -> {
                    c.setU32(at + AerView.UNCORRECTABLE_SEVERITY, AerView.UNC_DATA_LINK_PROTOCOL | AerView.UNC_MALFORMED_TLP);
                    c.setU32(at + AerView.CAPABILITIES_CONTROL, 0x14 | AerView.ECRC_GENERATION_CAPABLE);
                    c.setU32(at + AerView.HEADER_LOG + 12, 0xDEADBEEF);
                    c.setU32(at + AerView.ROOT_ERROR_STATUS, 3 << AerView.ROOT_STA_INTERRUPT_SHIFT);
                    c.setU32(at + AerView.ERROR_SOURCE_ID, 0x0100_0008);
                })
                .build();
        var view = Decoders.view(cs, dev.vcap.pci.capability.CapabilityChain.walk(cs).extended().get(0));
        AerView v = (AerView) view.orElseThrow();
        assertThat(v.rootRegisters()).isTrue();
        assertThat(v.firstErrorPointer()).isEqualTo(0x14);
        assertThat(v.ecrcGenerationCapable()).isTrue();
        assertThat(v.headerLog(3)).isEqualTo(0xDEADBEEF);
        assertThat(value(v, "Uncorrectable Error Severity", "Malformed TLP")).isEqualTo(1);
        assertThat(value(v, "Root Error Status", "Advanced Error Interrupt Message Number")).isEqualTo(3);
        assertThat(field(v, "Error Source Identification", "ERR_FATAL/NONFATAL Source Identification").meaning())
                .isEqualTo("0100");
        assertThat(new AerView(cs, 0x100).fields()).noneMatch(f -> f.register().startsWith("Root Error"));
    }

    @Test
    void acsWithEgressVector() {
        AcsView v = new AcsView(image(ExtendedCapability.ACS, (c, at) -> {
            c.setU16(at + AcsView.CAPABILITY, 40 << AcsView.EGRESS_VECTOR_SIZE_SHIFT | 0x3F);
            c.setU16(at + AcsView.CONTROL, AcsView.SOURCE_VALIDATION | AcsView.P2P_REQUEST_REDIRECT);
        }), 0x200);
        assertThat(v.sourceValidation()).isTrue();
        assertThat(v.p2pEgressControl()).isTrue();
        assertThat(v.directTranslatedP2p()).isFalse();
        assertThat(v.egressControlVectorBits()).isEqualTo(40);
        assertThat(v.egressControlVectorDwords()).isEqualTo(2);
        assertThat(field(v, "Egress Control Vector 1", "Egress Control Vector bits 63:32").offset()).isEqualTo(0x20C);
        assertThat(value(v, "ACS Control", "P2P Request Redirect Enable")).isEqualTo(1);
        assertThat(value(v, "ACS Control", "Upstream Forwarding Enable")).isZero();
    }

    @Test
    void ari() {
        AriView v = new AriView(image(ExtendedCapability.ARI, (c, at) -> {
            c.setU16(at + AriView.CAPABILITY, 0x0402);
            c.setU16(at + AriView.CONTROL, 3 << AriView.FUNCTION_GROUP_SHIFT);
        }), 0x200);
        assertThat(v.nextFunctionNumber()).isEqualTo(4);
        assertThat(v.acsFunctionGroups()).isTrue();
        assertThat(v.mfvcFunctionGroups()).isFalse();
        assertThat(v.functionGroup()).isEqualTo(3);
    }

    @Test
    void ltr() {
        LtrView v = new LtrView(image(ExtendedCapability.LTR, (c, at) -> {
            c.setU16(at + LtrView.MAX_SNOOP_LATENCY, 3 << LtrView.SCALE_SHIFT | 96); // 96 x 32^3 ns
            c.setU16(at + LtrView.MAX_NO_SNOOP_LATENCY, 7 << LtrView.SCALE_SHIFT | 1); // scale 7: not permitted
        }), 0x200);
        assertThat(v.maxSnoopLatencyNs()).isEqualTo(96L * 32768);
        assertThat(v.maxNoSnoopLatencyNs()).isEqualTo(-1);
        assertThat(field(v, "Max Snoop Latency", "Max Snoop LatencyScale").meaning()).isEqualTo("3 (3145728ns)");
    }

    @Test
    void l1Substates() {
        L1SubstatesView v = new L1SubstatesView(image(ExtendedCapability.L1PM, (c, at) -> {
            c.setU32(at + L1SubstatesView.CAPABILITIES, 6 << 19 | 1 << 16 | 40 << 8 | 0x1F); // T_POWER_ON 6 x 10us
            c.setU32(at + L1SubstatesView.CONTROL1, 2 << 29 | 160 << 16 | 60 << 8 | 0x5);
            c.setU32(at + L1SubstatesView.CONTROL2, 5 << 3 | 2); // 5 x 100us
        }), 0x200);
        assertThat(v.pciPmL12Supported()).isTrue();
        assertThat(v.l1PmSubstatesSupported()).isTrue();
        assertThat(v.portCommonModeRestoreTimeUs()).isEqualTo(40);
        assertThat(v.portTPowerOnUs()).isEqualTo(60);
        assertThat(v.commonModeRestoreTimeUs()).isEqualTo(60);
        assertThat(v.ltrL12ThresholdNs()).isEqualTo(163840);
        assertThat(v.tPowerOnUs()).isEqualTo(500);
        assertThat(v.enabledSubstates()).isEqualTo(0x5);
        assertThat(field(v, "L1 PM Substates Control 1", "LTR_L1.2_THRESHOLD_Scale").bitLow()).isEqualTo(29);
    }

    @Test
    void dpcWithRootPortExtensions() {
        DpcView v = new DpcView(image(ExtendedCapability.DPC, (c, at) -> {
            c.setU16(at + DpcView.CAPABILITY, 7 << DpcView.CAP_RP_PIO_LOG_SIZE_SHIFT | DpcView.CAP_RP_EXTENSIONS | 3);
            c.setU16(at + DpcView.CONTROL, 2 | DpcView.CTL_INTERRUPT_ENABLE);
            c.setU16(at + DpcView.STATUS, DpcView.STA_TRIGGER | 1 << DpcView.STA_TRIGGER_REASON_SHIFT);
            c.setU16(at + DpcView.ERROR_SOURCE_ID, 0x0300);
        }), 0x200);
        assertThat(v.rpExtensions()).isTrue();
        assertThat(v.rpPioLogSize()).isEqualTo(7);
        assertThat(v.interruptMessageNumber()).isEqualTo(3);
        assertThat(v.triggerEnable()).isEqualTo(2);
        assertThat(v.triggered()).isTrue();
        assertThat(v.triggerReason()).isEqualTo(1);
        assertThat(v.errorSourceId()).isEqualTo(0x300);
        assertThat(v.tlpPrefixLogDwords()).isEqualTo(2);
        assertThat(field(v, "RP PIO TLP Prefix Log 1", "RP PIO TLP Prefix Log DW1").offset()).isEqualTo(0x200 + 0x38);
        assertThat(field(v, "DPC Control", "DPC Trigger Enable").meaning()).isEqualTo("ERR_NONFATAL or ERR_FATAL");
    }

    @Test
    void ptm() {
        PtmView v = new PtmView(image(ExtendedCapability.PTM, (c, at) -> {
            c.setU32(at + PtmView.CAPABILITY, 4 << PtmView.GRANULARITY_SHIFT | PtmView.RESPONDER_CAPABLE
                    | PtmView.ROOT_CAPABLE);
            c.setU32(at + PtmView.CONTROL, PtmView.ENABLE | PtmView.ROOT_SELECT);
        }), 0x200);
        assertThat(v.responderCapable()).isTrue();
        assertThat(v.requesterCapable()).isFalse();
        assertThat(v.rootCapable()).isTrue();
        assertThat(v.localClockGranularity()).isEqualTo(4);
        assertThat(v.enabled()).isTrue();
        assertThat(v.rootSelected()).isTrue();
        assertThat(field(v, "PTM Control", "Effective Granularity").meaning()).isEqualTo("unknown");
        assertThat(field(v, "PTM Capability", "Local Clock Granularity").meaning()).isEqualTo("4ns");
    }

    @Test
    void resizableBar() {
        ResizableBarView v = new ResizableBarView(image(ExtendedCapability.RESIZABLE_BAR, (c, at) -> {
            c.setU32(at + ResizableBarView.CAPABILITY, 0x1F << 6); // 4 MB .. 64 MB
            c.setU32(at + ResizableBarView.CONTROL, 4 << ResizableBarView.CTRL_BAR_SIZE_SHIFT | 2 << 5 | 0);
            c.setU32(at + ResizableBarView.CAPABILITY + 8, 1 << 13); // 512 MB
            c.setU32(at + ResizableBarView.CONTROL + 8, 9 << 8 | 2 | 1 << 16); // BAR 2, 512 MB; 256 TB supported
        }), 0x200);
        assertThat(v.kind()).isEqualTo(ExtendedCapability.RESIZABLE_BAR);
        assertThat(v.barCount()).isEqualTo(2);
        assertThat(v.barIndex(1)).isEqualTo(2);
        assertThat(v.currentSizeBytes(0)).isEqualTo(16L << 20);
        assertThat(v.currentSizeBytes(1)).isEqualTo(512L << 20);
        assertThat(v.supportedSizes(0)).isEqualTo(0x1F << 2);
        assertThat(v.supportedSizes(1)).isEqualTo(1L << 9 | 1L << 28);
        assertThat(field(v, "Resizable BAR Capability 0", "Supported BAR Sizes").meaning())
                .isEqualTo("4MB 8MB 16MB 32MB 64MB");
        assertThat(field(v, "Resizable BAR Control 1", "Supported BAR Sizes (upper)").meaning()).isEqualTo("256TB");
        ResizableBarView vf = new ResizableBarView(image(ExtendedCapability.VF_RESIZABLE_BAR, (c, at) -> { }), 0x200);
        assertThat(vf.kind()).isEqualTo(ExtendedCapability.VF_RESIZABLE_BAR);
        assertThat(vf.entries()).as("count 0 still decodes the first entry").isEqualTo(1);
    }

    @Test
    void dsn() {
        DsnView v = new DsnView(image(ExtendedCapability.DSN, (c, at) -> {
            c.setU32(at + 4, 0xffff2446);
            c.setU32(at + 8, 0x001517ff);
        }), 0x200);
        assertThat(v.serialNumber()).isEqualTo(0x001517ff_ffff2446L);
        assertThat(v.serialNumberText()).isEqualTo("00-15-17-ff-ff-ff-24-46");
        RegisterField f = field(v, "Serial Number", "Serial Number");
        assertThat(f.width()).isEqualTo(8);
        assertThat(f.bitHigh()).isEqualTo(63);
        assertThat(f.mask()).isEqualTo(-1L);
    }

    @Test
    void vsecAndDvsec() {
        VsecView vsec = new VsecView(image(ExtendedCapability.VENDOR, (c, at) -> c.setU32(at + 4, 0x038 << 20 | 1 << 16 | 1)),
                0x200);
        assertThat(vsec.vsecId()).isEqualTo(1);
        assertThat(vsec.vsecRevision()).isEqualTo(1);
        assertThat(vsec.vsecLength()).isEqualTo(0x38);
        DvsecView dvsec = new DvsecView(image(ExtendedCapability.DVSEC, (c, at) -> {
            c.setU32(at + DvsecView.HEADER1, 56 << 20 | 0x1E98);
            c.setU16(at + DvsecView.HEADER2, 0);
        }), 0x200);
        assertThat(dvsec.dvsecVendorId()).isEqualTo(0x1E98);
        assertThat(dvsec.dvsecLength()).isEqualTo(56);
        assertThat(dvsec.dvsecId()).isZero();
        assertThat(field(dvsec, "Designated Vendor-Specific Header 1", "DVSEC Vendor ID").meaning()).isEqualTo("1e98");
    }

    @Test
    void tphWithTableInTheCapability() {
        TphView v = new TphView(image(ExtendedCapability.TPH, (c, at) -> {
            c.setU32(at + TphView.CAPABILITY, 2 << TphView.ST_TABLE_SIZE_SHIFT | 1 << TphView.ST_TABLE_LOCATION_SHIFT
                    | TphView.INTERRUPT_VECTOR_MODE);
            c.setU32(at + TphView.CONTROL, 1 << TphView.REQUESTER_ENABLE_SHIFT | 1);
            c.setU16(at + TphView.ST_TABLE + 4, 0xABCD);
        }), 0x200);
        assertThat(v.stTableLocation()).isEqualTo(TphView.LOCATION_CAPABILITY);
        assertThat(v.stTableSize()).isEqualTo(3);
        assertThat(v.stTableEntriesHere()).isEqualTo(3);
        assertThat(v.stEntry(2)).isEqualTo(0xABCD);
        assertThat(v.stEntry(3)).isZero();
        assertThat(v.requesterEnable()).isEqualTo(1);
        assertThat(v.stModeSelect()).isEqualTo(1);
        assertThat(value(v, "ST Table Entry 2", "ST Upper")).isEqualTo(0xAB);
    }

    @Test
    void dataLinkFeature() {
        DataLinkFeatureView v = new DataLinkFeatureView(image(ExtendedCapability.DATA_LINK_FEATURE, (c, at) -> {
            c.setU32(at + DataLinkFeatureView.CAPABILITIES, DataLinkFeatureView.EXCHANGE_ENABLE | 1);
            c.setU32(at + DataLinkFeatureView.STATUS, DataLinkFeatureView.REMOTE_VALID | 1);
        }), 0x200);
        assertThat(v.localScaledFlowControl()).isTrue();
        assertThat(v.exchangeEnabled()).isTrue();
        assertThat(v.remoteFeatures()).isEqualTo(1);
        assertThat(v.remoteValid()).isTrue();
        assertThat(field(v, "Data Link Feature Status", "Remote Data Link Feature Supported Valid").bitLow()).isEqualTo(31);
    }

    @Test
    void secondaryPcieAndPhysicalLayersDecodeOneRegisterPerLane() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x144d, 0xa824)
                .standard(0x40, dev.vcap.pci.capability.StandardCapability.PCI_EXPRESS, (c, at) -> {
                    c.setU16(at + PcieView.FLAGS, 2); // version 2 endpoint
                    c.setU32(at + PcieView.LNKCAP, 4 << PcieView.LNKCAP_MAX_WIDTH_SHIFT | 5); // x4, 32 GT/s
                })
                .extended(0x100, ExtendedCapability.SECONDARY_PCIE, 1, (c, at) -> {
                    c.setU32(at + SecondaryPcieView.LINK_CONTROL3, SecondaryPcieView.PERFORM_EQUALIZATION);
                    c.setU32(at + SecondaryPcieView.LANE_ERROR_STATUS, 0b1010);
                    c.setU16(at + SecondaryPcieView.LANE_EQUALIZATION_CONTROL + 6, 0x7F7F);
                })
                .extended(0x200, ExtendedCapability.PHYSICAL_LAYER_16, 1, (c, at) -> {
                    c.setU32(at + PhysicalLayer16View.STATUS, 0x0F);
                    c.setU8(at + PhysicalLayer16View.LANE_EQUALIZATION_CONTROL + 3, 0x47);
                })
                .extended(0x300, ExtendedCapability.PHYSICAL_LAYER_32, 1, (c, at) -> {
                    c.setU32(at + PhysicalLayer32View.CAPABILITIES, PhysicalLayer32View.NO_EQ_NEEDED_SUPPORTED);
                    c.setU32(at + PhysicalLayer32View.STATUS, 1 | PhysicalLayer32View.PRECODING_ON);
                })
                .build();
        var chain = dev.vcap.pci.capability.CapabilityChain.walk(cs);
        var views = Decoders.views(cs, chain);
        SecondaryPcieView sec = (SecondaryPcieView) views.get(1);
        PhysicalLayer16View pl16 = (PhysicalLayer16View) views.get(2);
        PhysicalLayer32View pl32 = (PhysicalLayer32View) views.get(3);
        assertThat(sec.lanes()).isEqualTo(4);
        assertThat(sec.performEqualization()).isTrue();
        assertThat(sec.laneErrorStatus()).isEqualTo(0b1010);
        assertThat(sec.laneEqualizationControl(3)).isEqualTo(0x7F7F);
        assertThat(sec.laneEqualizationControl(4)).isZero();
        assertThat(sec.fields()).filteredOn(f -> f.register().startsWith("Lane Equalization Control")).hasSize(4 * 4);
        assertThat(value(sec, "Lane Equalization Control 3", "Upstream Port 8.0 GT/s Receiver Preset Hint")).isEqualTo(7);
        assertThat(pl16.equalizationComplete()).isTrue();
        assertThat(pl16.laneEqualizationControl(3)).isEqualTo(0x47);
        assertThat(value(pl16, "Lane Equalization Control 3", "Upstream Port 16.0 GT/s Transmitter Preset")).isEqualTo(4);
        assertThat(pl32.noEqualizationNeededSupported()).isTrue();
        assertThat(pl32.equalizationComplete()).isTrue();
        assertThat(value(pl32, "32.0 GT/s Status", "Transmitter Precoding On")).isEqualTo(1);
        assertThat(pl32.fields()).filteredOn(f -> f.register().startsWith("Lane Equalization Control")).hasSize(4 * 2);
    }
}
