import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { settings } from '../../../test/fixtures';
import { Audit } from './Audit';

describe('Audit', () => {
  it('names each changed setting in words with its unit, and marks a name Grafana did not sign', () => {
    render(<Audit data={settings} />);
    const table = screen.getByTestId('audit-table');
    expect(within(table).getAllByText('$10.00')).toHaveLength(2);
    const rows = within(table).getAllByRole('row');
    expect(rows.map((r) => r.textContent).filter((t) => t?.includes('admin.ada') || t?.includes('mallory'))).toEqual([
      expect.not.stringContaining('unverified'),
      expect.stringContaining('mallory (unverified)'),
    ]);
    expect(within(table).queryByText('minImpactDollars')).not.toBeInTheDocument();
  });

  it('shows nothing before the first change', () => {
    const { container } = render(<Audit data={{ ...settings, audit: [] }} />);
    expect(container).toBeEmptyDOMElement();
  });
});
