import React from 'react';
import { render, screen, within } from '@testing-library/react';
import { SimpleTable } from './SimpleTable';

describe('SimpleTable', () => {
  it('puts the head in a header row and the rows given in the body', () => {
    render(
      <SimpleTable head={['Who', 'Spend']} testId="t">
        <tr>
          <td>ada@example.com</td>
          <td>$12.00</td>
        </tr>
      </SimpleTable>,
    );
    const table = screen.getByTestId('t');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Who', 'Spend']);
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    expect(within(table).getByRole('cell', { name: '$12.00' })).toBeInTheDocument();
  });
});
