/** Native calls for the converter. Not API: public only so that jnr-ffi can implement the interfaces. */
package io.qcow4j.convert.internal;
