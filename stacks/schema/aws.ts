import { z } from "zod";

/** `dns`: the platform's Route53 zone. Built with the AWS substrate; checked loosely until then. */
export const dnsSchema = z.looseObject({});
export type DnsConfig = z.infer<typeof dnsSchema>;

/** `secrets`: the platform's AWS Secrets Manager secrets. Built with the AWS substrate; checked loosely until then. */
export const secretsSchema = z.looseObject({});
export type SecretsConfig = z.infer<typeof secretsSchema>;
