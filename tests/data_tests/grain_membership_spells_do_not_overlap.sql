-- tier spells of one customer that overlap in time
select a.customer_id, a.valid_from, b.valid_from as other_valid_from
from membership_tier_spells as a
inner join membership_tier_spells as b
    on a.customer_id = b.customer_id
    and a.valid_from < b.valid_from
    and (a.valid_to is null or a.valid_to > b.valid_from)
