/**
 * The VMM side: the guest-visible config space, the PASID/PRI/ATS synthesizers, placement, the
 * vIOMMU binding, the migration contract and the VMM configuration a plan emits.
 */
module dev.vcap.vmm {
    requires transitive dev.vcap.pci;        // ConfigSpace, capabilities and their offsets
    requires transitive dev.vcap.host;       // AssignedDevice drives a Host; a VirtualConfigSpace is over a ConfigRegion
    requires com.fasterxml.jackson.core;     // ContractCodec writes the canonical JSON
    requires com.fasterxml.jackson.databind; // ... and reads it back as a tree
    requires org.yaml.snakeyaml;             // YamlNode: quirk tables, layout files, scenarios

    exports dev.vcap.vmm;           // AssignedDevice: one device's pieces together
    exports dev.vcap.vmm.config;    // VirtualConfigSpace, WritePolicy, ChainEditor, HidingPolicy, VmmEvent
    exports dev.vcap.vmm.emit;      // a plan as QEMU arguments or libvirt XML
    exports dev.vcap.vmm.files;     // YamlNode and FileFormatException for operator files
    exports dev.vcap.vmm.migration; // LayoutContract, ContractCodec, Admission, PoolPlanner, Migration
    exports dev.vcap.vmm.placement; // PlacementEngine, its policies, quirk table and layout files
    exports dev.vcap.vmm.synth;     // the PASID/PRI/ATS synthesizers and PasidSupport
    exports dev.vcap.vmm.viommu;    // vIOMMU models and PasidBinder
}
