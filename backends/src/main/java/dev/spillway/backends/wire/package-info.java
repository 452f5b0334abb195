/** JSON text shared by the project's OpenAI-compatible servers. */
package dev.spillway.backends.wire;
