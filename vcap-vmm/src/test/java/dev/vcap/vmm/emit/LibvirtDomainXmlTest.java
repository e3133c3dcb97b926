package dev.vcap.vmm.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.synth.PasidSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * The libvirt XML vcap writes is well formed and uses only what libvirt documents: checked against
 * a strict schema written from libvirt's documentation (libvirt-domain-subset.xsd), and, where
 * libvirt's own schema and xmllint are installed (Debian: libvirt0, libxml2-utils), against
 * libvirt's domain.rng itself.
 */
class LibvirtDomainXmlTest {

    static final Path LIBVIRT_DOMAIN_RNG = Path.of("/usr/share/libvirt/schemas/domain.rng");

    @TempDir
    Path tmp;

    /** Three devices: one with PASID (and a comment holding "--"), one without, one not emitted. */
    static String render() {
        ConfigSpace dsa = RealizerTest.device().build();
        Realization a = RealizerTest.realize(dsa, RealizerTest.pasid(RealizerTest.HOST), RealizerTest.OPTIONS,
                RealizerTest.HOST);
        ConfigSpace plain = ConfigSpaceBuilder.endpoint(0x15b3, 0x101e).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2).build();
        Realization b = RealizerTest.realize(plain, java.util.Map.of(dev.vcap.vmm.placement.SyntheticCapability.ATS,
                dev.vcap.vmm.synth.Synthesizers.ats(0, true, false)), RealizerTest.OPTIONS, PasidSupport.NONE);
        b = new Realization(new PciAddress(0x10000, 0x81, 0x1f, 7), "dumps/a--b.lspci:9", b.pasidOffset(),
                b.requires(), b.warnings(), null);
        Realization c = new Realization(new PciAddress(0, 2, 0, 0), "x.lspci:1", OptionalInt.empty(), List.of(),
                List.of(), "nothing placed: not a PCI Express function");
        return LibvirtDomainXml.render(List.of(a, b, c));
    }

    /** The emitted fragment put where libvirt wants it: hostdevs in devices, the override in domain. */
    static String domain(String fragment) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document parsed = f.newDocumentBuilder().parse(new InputSource(new StringReader(
                "<fragment>" + fragment + "</fragment>")));
        Document d = f.newDocumentBuilder().newDocument();
        Element domain = d.createElement("domain");
        domain.setAttribute("type", "kvm");
        d.appendChild(domain);
        domain.appendChild(d.createElement("name")).setTextContent("vm");
        domain.appendChild(d.createElement("memory")).setTextContent("1048576");
        domain.appendChild(d.createElement("os")).appendChild(d.createElement("type")).setTextContent("hvm");
        Element devices = (Element) domain.appendChild(d.createElement("devices"));
        List<Node> overrides = new ArrayList<>();
        for (Node n = parsed.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                if (e.getLocalName().equals("hostdev")) {
                    devices.appendChild(d.importNode(e, true));
                } else {
                    overrides.add(d.importNode(e, true));
                }
            }
        }
        overrides.forEach(domain::appendChild);
        StringWriter out = new StringWriter();
        var t = TransformerFactory.newInstance().newTransformer();
        t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
        t.transform(new DOMSource(d), new StreamResult(out));
        return out.toString();
    }

    static void validate(String domainXml) throws SAXException, IOException {
        SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        var schema = sf.newSchema(LibvirtDomainXmlTest.class.getResource("libvirt-domain-subset.xsd"));
        schema.newValidator().validate(new StreamSource(new StringReader(domainXml)));
    }

    @Test
    void theEmittedXmlIsWellFormedAndValidAgainstTheDocumentedSubset() throws Exception {
        String fragment = render();
        String domain = domain(fragment);
        validate(domain);
        assertThat(domain).contains("<alias name=\"ua-vcap-0000-6a-01-0\"/>")
                .contains("<address bus=\"0x81\" domain=\"0x10000\" function=\"0x7\" slot=\"0x1f\"/>")
                .contains("qemu:property name=\"x-vpasid-cap-offset\" type=\"unsigned\" value=\"4088\"");
        assertThat(fragment).contains("dumps/a- -b.lspci:9").contains("not emitted: nothing placed");
        // one override, naming only the device that has a property to pass
        assertThat(fragment.split("<qemu:override ", -1)).hasSize(2);
        assertThat(fragment).contains("<qemu:device alias='ua-vcap-0000-6a-01-0'>")
                .doesNotContain("<qemu:device alias='ua-vcap-10000-81-1f-7'>");
    }

    @Test
    void theSubsetSchemaRejectsWhatLibvirtDoesNotDocument() throws Exception {
        String good = domain(render());
        for (String[] bad : new String[][] {
            {"qemu:frontend", "qemu:backend"},
            {"ua-vcap-0000-6a-01-0\"/>", "vcap-0000-6a-01-0\"/>"},
            {"type=\"unsigned\"", "type=\"number\""},
            {"<driver name=\"vfio\"/>", "<driver name=\"vfio\" iommufd=\"yes\"/>"},
            {"managed=\"yes\"", "managed=\"true\""}}) {
            String mutated = good.replace(bad[0], bad[1]);
            assertThat(mutated).as(bad[0]).isNotEqualTo(good);
            assertThatThrownBy(() -> validate(mutated)).as(bad[1]).isInstanceOf(SAXException.class);
        }
    }

    @Test
    void libvirtsOwnSchemaAcceptsTheDomain() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(LIBVIRT_DOMAIN_RNG), "libvirt's schema is not installed ("
                + LIBVIRT_DOMAIN_RNG + ", Debian package libvirt0): skipping the check against it");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/xmllint")),
                "xmllint is not installed (Debian package libxml2-utils): skipping the check against libvirt's schema");
        Path file = tmp.resolve("domain.xml");
        Files.writeString(file, domain(render()));
        assertThat(xmllint(file)).contains("validates");
        Files.writeString(file, domain(render()).replace("qemu:frontend", "qemu:backend"));
        assertThat(xmllint(file)).contains("fails to validate");
    }

    private static String xmllint(Path file) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/xmllint", "--noout", "--relaxng", LIBVIRT_DOMAIN_RNG.toString(),
                file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void aFragmentWithoutDevicesIsStillWellFormed() throws Exception {
        String fragment = LibvirtDomainXml.render(List.of());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.newDocumentBuilder().parse(new ByteArrayInputStream(("<f>" + fragment + "</f>").getBytes(StandardCharsets.UTF_8)));
        assertThat(fragment).doesNotContain("<hostdev ").doesNotContain("<qemu:override ");
    }
}
