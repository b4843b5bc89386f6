/** The API's error type and the error responses every route documents. */
import { z } from '@hono/zod-openapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The error body of every failed request. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid-parameter' }),
      message: z.string().openapi({ example: 'asOf "2025-02-30" is not a valid date' }),
      field: z.string().nullable().openapi({ example: 'asOf' }),
    }),
  })
  .openapi('Error');

export const errorResponses = {
  400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'invalid input' },
  403: {
    content: { 'application/json': { schema: ErrorSchema } },
    description: 'a key or token that does not match',
  },
  404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'not found' },
  409: {
    content: { 'application/json': { schema: ErrorSchema } },
    description: 'a request that conflicts with the current state',
  },
  422: {
    content: { 'application/json': { schema: ErrorSchema } },
    description: 'input that cannot be computed or stored',
  },
} as const;

/** A request the API rejects, with its status, code and offending field. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }
}
