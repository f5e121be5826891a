package dev.lifeboat.plugin.vmware;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The little XML the plugin needs: escaping for the envelopes it writes by hand, and a StAX reader that turns an
 * answer into a small tree of {@link Node}s. vim25 answers are a few kilobytes (a snapshot tree is the largest), so a
 * tree is simpler to walk than a cursor and still costs next to nothing; no DOM, no JAXB, no generated types.
 */
final class Xml {
    static final String SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String VIM = "urn:vim25";
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    private static final XMLInputFactory FACTORY = newFactory();

    private Xml() {}

    private static XMLInputFactory newFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        // An answer is data, never a document that may pull in other documents: no DTDs, no external entities (XXE).
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }

    /** Escapes text for element content and for double- or single-quoted attribute values. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    // XML 1.0 cannot carry most control characters at all, not even escaped: drop them rather than
                    // send an envelope vCenter rejects as malformed.
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * One element: its namespace and local name, the two attributes vim25 uses ({@code type} on a managed object
     * reference, {@code xsi:type} on a polymorphic value, read by namespace since vcsim writes the prefix as
     * {@code XMLSchema-instance}), its text and its child elements.
     */
    record Node(String namespace, String name, String type, String xsiType, String text, List<Node> children) {

        /** The first child with this local name, or null. */
        Node child(String localName) {
            for (Node n : children) {
                if (n.name.equals(localName)) {
                    return n;
                }
            }
            return null;
        }

        List<Node> all(String localName) {
            List<Node> out = new ArrayList<>();
            for (Node n : children) {
                if (n.name.equals(localName)) {
                    out.add(n);
                }
            }
            return out;
        }

        /** The text of the first child with this local name, or null. */
        String text(String localName) {
            Node n = child(localName);
            return n == null ? null : n.text;
        }

        /** The first element child, or null. */
        Node first() {
            return children.isEmpty() ? null : children.get(0);
        }
    }

    /** Parses a whole document into its root node. */
    static Node parse(byte[] document) {
        XMLStreamReader r = null;
        try {
            r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(document));
            while (r.hasNext()) {
                if (r.next() == XMLStreamConstants.START_ELEMENT) {
                    return element(r);
                }
            }
            throw new IllegalArgumentException("no root element");
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing left to release
                }
            }
        }
    }

    /** Reads the element the reader stands on, up to and including its end tag. */
    private static Node element(XMLStreamReader r) throws XMLStreamException {
        String namespace = r.getNamespaceURI();
        String name = r.getLocalName();
        // Not getAttributeValue(null, "type"): a null namespace there matches any, so it may return xsi:type.
        String type = null;
        String xsiType = null;
        for (int i = 0; i < r.getAttributeCount(); i++) {
            if (!r.getAttributeLocalName(i).equals("type")) {
                continue;
            }
            String ns = r.getAttributeNamespace(i);
            if (ns == null || ns.isEmpty()) {
                type = r.getAttributeValue(i);
            } else if (ns.equals(XSI)) {
                xsiType = r.getAttributeValue(i);
            }
        }
        List<Node> children = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        while (true) {
            int event = r.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> children.add(element(r));
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> text.append(r.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    return new Node(namespace == null ? "" : namespace, name, type, stripPrefix(xsiType),
                            children.isEmpty() ? text.toString() : text.toString().strip(), List.copyOf(children));
                }
                default -> {
                    // comments and processing instructions carry nothing for us
                }
            }
        }
    }

    /** {@code xsd:int} → {@code int}; vim25 types come unprefixed ({@code TaskInfoState}). */
    private static String stripPrefix(String qname) {
        if (qname == null) {
            return null;
        }
        int colon = qname.indexOf(':');
        return colon < 0 ? qname : qname.substring(colon + 1);
    }
}
