package io.qcow4j.vhd;

/**
 * One of the eight parent locator entries of a differencing disk's header: where in the file a platform-specific
 * name of the parent is stored.
 *
 * @param code   the platform code, four ASCII letters ("W2ru", "W2ku", "MacX"), or 0 for an unused entry
 * @param length the name's length in bytes
 * @param offset the name's offset in the file
 */
record ParentLocator(int code, int length, long offset) {

    static final int W2RU = 0x57327275;
    static final int W2KU = 0x57326b75;
    static final int WI2R = 0x57693272;
    static final int WI2K = 0x5769326b;
    static final int MACX = 0x4d616358;
    /** Longer than any path Windows or macOS writes (32767 UTF-16 units). */
    static final int MAX_LENGTH = 65536;

    String codeName() {
        StringBuilder name = new StringBuilder();
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (code >>> shift) & 0xff;
            name.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return name.toString();
    }
}
