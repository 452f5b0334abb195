/**
 * The Bedrock Runtime wire: Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream
 * bodies parsed into core requests and written back, Bedrock's error shapes, model ids and inference
 * profiles, and the AWS event-stream framing of the two streaming calls. No HTTP types.
 */
package dev.spillway.gateway.api.bedrock;
