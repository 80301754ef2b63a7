-- grain: one row per customer per membership tier spell (from one tier change to the next)
-- A customer with no spell covering a moment is 'normal' then.
with events as (
    select event_id, customer_id, changed_at, to_tier
    from stg_membership_events
    where cast(changed_at as date) <= $as_of
),

final as (
    select
        customer_id,
        cast(to_tier as tier_t) as membership_tier,
        changed_at as valid_from,
        lead(changed_at) over (
            partition by customer_id order by changed_at, event_id
        ) as valid_to
    from events
)

select * from final
