import { applyDecorators } from '@nestjs/common';
import { IsArray, IsString, ValidateBy } from 'class-validator';

export const IsStringArray = () => applyDecorators(IsArray(), IsString({ each: true }));

/** Message content: a string, or a non-empty list of content parts, each an object with a string `type`. */
export const IsMessageContent = () =>
  ValidateBy({
    name: 'isMessageContent',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' ||
        (Array.isArray(value) &&
          value.length > 0 &&
          value.every((part) => typeof part === 'object' && part !== null && typeof (part as { type?: unknown }).type === 'string')),
      defaultMessage: () => 'content must be a string or a non-empty array of content parts with a type',
    },
  });
