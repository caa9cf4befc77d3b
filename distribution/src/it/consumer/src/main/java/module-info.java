/** A program of its own module: each qcow4j module brings the API (io.qcow4j) with it. */
module io.qcow4j.consumer {
    requires io.qcow4j.qcow2;
    requires io.qcow4j.convert;
}
