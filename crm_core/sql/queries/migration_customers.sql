-- The customers of one cell of the migration matrix: on the later date (the filters' as-of) in
-- $to_value and on $from_snapshot in $from_value, of the level $level (rfm_segment or value_tier).
with
-- @include filtered_customers
,
-- @include segment_base
,

-- @include rfm_earlier
,

final as (
    -- @include customer_list
    left join earlier on earlier.customer_id = segment_base.customer_id
    where
        case when $level = 'rfm_segment' then segment_base.rfm_segment else segment_base.value_tier end = $to_value
        and case
            when $level = 'rfm_segment' then coalesce(earlier.rfm_segment, 'no_purchase')
            else coalesce(earlier.value_tier, 'no_purchase')
        end = $from_value
)

select * from final
