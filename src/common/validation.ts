import { ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { validationError } from './errors';

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${here}: ${m}`);
    return [...own, ...describe(e.children ?? [], here)];
  });
}

/** Validates bodies and queries; failures answer 422 `{detail}` as Letta does. Unknown fields are ignored. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: false,
    exceptionFactory: (errors) => validationError(describe(errors).join('; ') || 'Invalid request'),
  });
}

/** Query strings carry booleans as `true`/`false`. */
export const ToBoolean = () =>
  Transform(({ value }) => {
    if (value === 'true' || value === true) return true;
    if (value === 'false' || value === false) return false;
    if (value === '' || value === null) return null;
    return value;
  });

/** Arrays in query strings repeat their key; a single occurrence arrives as a plain string. */
export const ToArray = () =>
  Transform(({ value }) => (value === undefined || value === null || value === '' ? undefined : Array.isArray(value) ? value : [value]));

const toInt = (value: unknown) => (/^-?\d+$/.test(String(value)) ? Number(value) : value);

export const ToInt = () => Transform(({ value }) => (value === undefined || value === '' || value === null ? undefined : toInt(value)));

export const ToIntArray = () =>
  Transform(({ value }) => (value === undefined || value === '' || value === null ? undefined : (Array.isArray(value) ? value : [value]).map(toInt)));

/** The SDK sends `null` query values as an empty string. */
export const EmptyToNull = () => Transform(({ value }) => (value === '' ? null : value));
