/**
 * Writes qcow2 images: empty images and copy-on-write overlays ({@code qemu-img create -f qcow2}), any image qcow4j
 * reads converted to qcow2, compressed in parallel ({@code qemu-img convert -O qcow2 [-c]}), and the sizes such an
 * image needs ({@code qemu-img measure}).
 */
package io.qcow4j.qcow2.write;
