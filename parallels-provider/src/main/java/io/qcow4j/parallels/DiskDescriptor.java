package io.qcow4j.parallels;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import io.qcow4j.CorruptImageException;
import io.qcow4j.UnsupportedFeatureException;

/**
 * A Parallels bundle's {@code DiskDescriptor.xml}: the disk's size, its storages (one, or several covering ranges of
 * the disk in an older split disk), each with its images, and the snapshot tree that chains them. Parsed with no
 * document type, entities or external resources: the text comes from a stranger.
 *
 * @param sectors   the disk's size in sectors
 * @param storages  the storages, in the order listed
 * @param parents   each snapshot's parent GUID, by its GUID (the root's parent is {@link #NO_PARENT})
 * @param topGuid   the GUID of the image the guest writes to
 */
record DiskDescriptor(long sectors, List<Storage> storages, Map<String, String> parents, String topGuid) {

    static final String NO_PARENT = "{00000000-0000-0000-0000-000000000000}";
    /** The top snapshot's GUID when the descriptor names none. */
    static final String DEFAULT_TOP = "{5fbaabe3-6958-40ff-92a7-860e329aab41}";
    /** A descriptor is a few KiB; a larger one is not read whole. */
    static final int MAX_BYTES = 1 << 20;
    private static final byte[] ROOT = "<Parallels_disk_image".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * A range of the disk and the images that store it.
     *
     * @param start         its first sector
     * @param end           the sector after its last
     * @param clusterSectors its images' cluster size, in sectors
     * @param images        its images by GUID
     */
    record Storage(long start, long end, long clusterSectors, Map<String, ImageFile> images) {
    }

    /**
     * An image file of a storage.
     *
     * @param plain true for a raw file, false for an expanding ({@code Compressed}) one
     * @param file  the file's name as written: relative to the descriptor, or absolute
     */
    record ImageFile(boolean plain, String file) {
    }

    /** Whether {@code start} (a file's first bytes) is the start of a descriptor. */
    static boolean recognizes(byte[] start, int length) {
        int limit = Math.min(length, 512) - ROOT.length;
        for (int i = 0; i <= limit; i++) {
            if (java.util.Arrays.equals(start, i, i + ROOT.length, ROOT, 0, ROOT.length)) {
                return true;
            }
        }
        return false;
    }

    static DiskDescriptor parse(byte[] text) throws IOException {
        Element root = document(text).getDocumentElement();
        if (!root.getTagName().equals("Parallels_disk_image")) {
            throw new CorruptImageException("DiskDescriptor.xml: the root element is <" + root.getTagName()
                    + ">, not <Parallels_disk_image>");
        }
        Element parameters = child(root, "Disk_Parameters");
        long sectors = number(parameters, "Disk_size");
        Element padding = optionalChild(parameters, "Padding");
        if (padding != null && number(parameters, "Padding") != 0) {
            throw new UnsupportedFeatureException("DiskDescriptor.xml: Padding " + text(padding)
                    + " is not 0: such disks are not covered by the format's specification");
        }
        List<Storage> storages = new ArrayList<>();
        for (Element storage : children(child(root, "StorageData"), "Storage")) {
            long start = number(storage, "Start");
            long end = number(storage, "End");
            if (start >= end || end > sectors) {
                throw new CorruptImageException("DiskDescriptor.xml: a storage from sector " + start + " to " + end
                        + " is not a range inside the disk's " + sectors + " sectors");
            }
            Map<String, ImageFile> images = new HashMap<>();
            for (Element image : children(storage, "Image")) {
                String type = text(child(image, "Type"));
                if (!type.equals("Plain") && !type.equals("Compressed")) {
                    throw new UnsupportedFeatureException("DiskDescriptor.xml: image type '" + type
                            + "' is neither Plain nor Compressed");
                }
                images.put(guid(text(child(image, "GUID"))), new ImageFile(type.equals("Plain"),
                        text(child(image, "File"))));
            }
            storages.add(new Storage(start, end, number(storage, "Blocksize"), images));
        }
        if (storages.isEmpty()) {
            throw new CorruptImageException("DiskDescriptor.xml: no <Storage> holds the disk");
        }
        storages.sort((a, b) -> Long.compare(a.start(), b.start()));
        long covered = 0;
        for (Storage storage : storages) {
            if (storage.start() != covered) {
                throw new CorruptImageException("DiskDescriptor.xml: the storages leave sectors " + covered + " to "
                        + storage.start() + " uncovered or cover them twice");
            }
            covered = storage.end();
        }
        if (covered != sectors) {
            throw new CorruptImageException("DiskDescriptor.xml: the storages end at sector " + covered
                    + ", not at the disk's end (" + sectors + ")");
        }
        Element snapshots = child(root, "Snapshots");
        Map<String, String> parents = new HashMap<>();
        for (Element shot : children(snapshots, "Shot")) {
            parents.put(guid(text(child(shot, "GUID"))), guid(text(child(shot, "ParentGUID"))));
        }
        Element top = optionalChild(snapshots, "TopGUID");
        return new DiskDescriptor(sectors, storages, parents, top == null ? DEFAULT_TOP : guid(text(top)));
    }

    private static Document document(byte[] text) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            // the parser's own messages go to the exception, not to standard error
            builder.setErrorHandler(null);
            return builder.parse(new ByteArrayInputStream(text));
        } catch (SAXException e) {
            throw new CorruptImageException("DiskDescriptor.xml is not well-formed XML: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a secure configuration", e);
        }
    }

    /** A GUID in the descriptor's spelling, braces and case aside, so that references compare equal. */
    private static String guid(String text) {
        String bare = text.trim().toLowerCase(java.util.Locale.ROOT);
        return bare.startsWith("{") ? bare : "{" + bare + "}";
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }

    private static Element optionalChild(Element parent, String name) throws CorruptImageException {
        List<Element> found = children(parent, name);
        if (found.size() > 1) {
            throw new CorruptImageException("DiskDescriptor.xml: <" + parent.getTagName() + "> has " + found.size()
                    + " <" + name + "> elements");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private static Element child(Element parent, String name) throws CorruptImageException {
        Element found = optionalChild(parent, name);
        if (found == null) {
            throw new CorruptImageException("DiskDescriptor.xml: <" + parent.getTagName() + "> has no <" + name
                    + ">");
        }
        return found;
    }

    private static String text(Element element) {
        return element.getTextContent().trim();
    }

    private static long number(Element parent, String name) throws CorruptImageException {
        String text = text(child(parent, name));
        try {
            long value = Long.parseLong(text);
            if (value < 0 || value > Long.MAX_VALUE / 512) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new CorruptImageException("DiskDescriptor.xml: <" + name + "> " + text
                    + " is not a sector count");
        }
    }
}
