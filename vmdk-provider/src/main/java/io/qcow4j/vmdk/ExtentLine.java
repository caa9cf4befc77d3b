package io.qcow4j.vmdk;

/**
 * One extent line of a descriptor: {@code RW 4194304 FLAT "disk-f001.vmdk" 0}.
 *
 * @param line         the line's number in the descriptor, from 1, for messages
 * @param sectors      the extent's size in 512-byte sectors
 * @param type         the extent's type
 * @param name         the file name as the descriptor stores it, decoded as the JDK decodes file names; null for ZERO
 * @param flatOffset   for a FLAT extent, the sector of its file where the extent starts; else 0
 * @param declaredName the name decoded with the descriptor's {@code encoding}, where that reads it otherwise; else
 *                     null
 */
record ExtentLine(int line, long sectors, ExtentType type, String name, long flatOffset, String declaredName) {

    ExtentLine(int line, long sectors, ExtentType type, String name, long flatOffset) {
        this(line, sectors, type, name, flatOffset, null);
    }
}
