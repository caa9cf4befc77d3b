/** A program of its own module: the converter's module brings the API (io.qcow4j) with it. */
module io.qcow4j.consumer {
    requires io.qcow4j.convert;
}
