-- relationships that reached a later stage before an earlier one (the funnel would widen)
select customer_id, first_touch_on, first_ordered_on, first_commitment_on_3
from customer_milestones
where first_ordered_on < first_touch_on
    or first_commitment_on_2 < first_ordered_on
    or first_commitment_on_3 < first_commitment_on_2
    or first_commitment_on_4 < first_commitment_on_3
    or first_commitment_on_5 < first_commitment_on_4
    or (first_commitment_on_2 is null and first_commitment_on_3 is not null)
