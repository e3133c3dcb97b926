/** The vcap command. An application: it exports nothing. */
module dev.vcap.cli {
    requires dev.vcap.pci;
    requires dev.vcap.host;
    requires dev.vcap.linux;
    requires dev.vcap.guest;
    requires dev.vcap.vmm;
    requires dev.vcap.vfiouser;
    requires com.fasterxml.jackson.core;     // every --json output is streamed
    requires com.fasterxml.jackson.databind; // compare-guest reads JSON lines as trees
}
