"""row_change: an insert line covers a run of consecutive ids (last_row_id)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 22:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing lines keep last_row_id NULL: one row each, as they were written.
    with op.batch_alter_table('row_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_row_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Back to one line per inserted row, so that the older code can still undo these batches:
    # each run becomes its rows, in the runs' order (undo replays a batch's lines backwards,
    # and a company must go after the investments that point at it).
    bind = op.get_bind()
    top = bind.execute(sa.text("select coalesce(max(id), 0) from row_change")).scalar()
    runs = bind.execute(sa.text(
        "select batch_id, table_name, row_id, last_row_id from row_change "
        "where op = 'insert' and last_row_id is not null order by id")).all()
    for batch_id, table_name, first, last in runs:
        bind.execute(sa.text("insert into row_change (batch_id, table_name, row_id, op) "
                             "values (:b, :t, :r, 'insert')"),
                     [{"b": batch_id, "t": table_name, "r": r} for r in range(first, last + 1)])
    bind.execute(sa.text("delete from row_change where id <= :top and op = 'insert' and last_row_id is not null"),
                 {"top": top})
    with op.batch_alter_table('row_change', schema=None) as batch_op:
        batch_op.drop_column('last_row_id')
