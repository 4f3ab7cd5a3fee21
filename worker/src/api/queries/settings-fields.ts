import type { SettingField } from '@cursor-cost-watch/contract';
import { z } from 'zod';
import { describeSettings, settingsShape, type SettingKey } from '../../settings';

interface JsonSchemaLike {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: JsonSchemaLike;
}

/** Every setting with its meaning and default plus the kind of value it takes, read from the settings' zod schema. */
export function settingFields(): SettingField[] {
  return describeSettings().map(({ key, description, default: fallback }) => {
    const js = z.toJSONSchema(settingsShape[key as SettingKey], {
      io: 'input',
      unrepresentable: 'any',
    }) as JsonSchemaLike;
    const field: SettingField = { key, description, default: fallback, type: 'string' };
    if (js.enum) Object.assign(field, { type: 'enum', options: js.enum.map(String) });
    else if (js.type === 'boolean') field.type = 'boolean';
    else if (js.type === 'integer' || js.type === 'number') field.type = js.type;
    else if (js.type === 'array') Object.assign(field, { type: 'list', options: js.items?.enum?.map(String) });
    if (typeof js.minimum === 'number') field.min = js.minimum;
    if (typeof js.maximum === 'number') field.max = js.maximum;
    return field;
  });
}
